"""UI and bot strings through gettext catalogs (``locale/<lang>/LC_MESSAGES/<domain>.po``).

Catalogs are read with Babel at start-up, so no compile step is needed; ``pybabel`` still
works on them for translators. Polish is the source of truth for meaning; msgids are English.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
UI_LANGS: tuple[str, ...] = ("pl", "uk", "en")


class Translations:
    def __init__(self, domain: str, locale_dir: Path = LOCALE_DIR) -> None:
        self.domain = domain
        self._catalogs: dict[str, dict[str, str]] = {}
        for lang in UI_LANGS:
            path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            self._catalogs[lang] = {
                str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy
            }

    def gettext(self, lang: str, msgid: str, **values: object) -> str:
        """The translation for ``lang`` (falling back to Polish, then the msgid), formatted."""
        catalog = self._catalogs.get(lang) or self._catalogs["pl"]
        text = catalog.get(msgid) or self._catalogs["pl"].get(msgid) or msgid
        return text.format(**values) if values else text

    def catalog(self, lang: str) -> dict[str, str]:
        return dict(self._catalogs.get(lang) or self._catalogs["pl"])

    def missing(self, lang: str) -> set[str]:
        return set(self._catalogs["en"]) - set(self._catalogs[lang])
