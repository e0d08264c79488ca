"""govkg: the open knowledge graph of China's provincial digital government.

The package root holds only the version: importing it loads nothing else (no Flask), so
``govkg load`` and the build stay free of the web layer. The web app is
``govkg.web.app.create_app``.
"""

__version__ = "0.1.0"
