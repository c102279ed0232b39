"""The citizens' page behind each ticket's QR code (issue #13): `lobby public`, a process of
its own, apart from the staff console (docs/public-page.md)."""
