"""Ticket printing: one layout, rendered to ESC/POS bytes and to a PNG preview."""
