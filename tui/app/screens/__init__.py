"""One module (and one .tcss) per screen of the app."""
