"""The kiosk: a touchscreen that issues tickets, prints them and speaks."""
