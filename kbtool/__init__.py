"""kbtool: search the team's DokuWiki and accounting documentation, draft short French replies."""

__version__ = "0.1.0"
