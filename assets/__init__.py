"""The lobby's data files: fonts, service icons, sounds and translation catalogues.

Installed as the package `lobby_assets` (pyproject.toml maps this folder to that name), so a
wheel carries them; code finds them through `devicekit.assets`, never by a path beside the
source tree."""
