"""pakn: the composition roots (`app.main`, `app.cli`, `app.web`), the settings, the use
cases (`app.services`), the demo data (`app.demo`) and the pure rules (`app.domain`).

README.md, "Where things are", draws the layers; `.importlinter` holds them to it."""
