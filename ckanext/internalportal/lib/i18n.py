"""Translation markers shared by every plugin of the suite."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark an English msgid for extraction (``N_`` is one of Babel's default keywords, so
    ``make i18n`` finds it); it is translated with ``tk._`` where it is shown, so that a web or
    API request gets it in its language. Pure: modules that must not import CKAN use it too."""
    return message
