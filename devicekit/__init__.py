"""What the device apps share and the hub never needs: colours, windows, catalogues, speech,
reading numbers aloud, the command-line start of a device, a base client and a base Kivy app.

Kivy is imported only by `devicekit.app`; everything else here is plain Python."""
