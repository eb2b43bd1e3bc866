"""Pieces every plugin of the suite uses, each rule written once: translation markers (``i18n``),
values (emptiness, e-mail, JSON lists), licences, the site context, the access-level rules and
who reads what (``audience``)."""
