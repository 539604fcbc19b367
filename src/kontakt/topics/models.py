"""Topics and organisational units as database rows, imported from content/ with the articles."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kontakt.db import Base, JSONType


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name_pl: Mapped[str] = mapped_column(String(300))
    name_uk: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(Text)
    default_queue: Mapped[str] = mapped_column(String(80))
    units: Mapped[list[str]] = mapped_column(JSONType)

    def name(self, lang: str) -> str:
        return {"uk": self.name_uk, "en": self.name_en}.get(lang, self.name_pl)


class OrgUnit(Base):
    """A department or city body that is responsible for topics and articles."""

    __tablename__ = "org_units"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    short: Mapped[str] = mapped_column(String(40))
    name_pl: Mapped[str] = mapped_column(String(300))
    name_uk: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    handles: Mapped[str] = mapped_column(Text)
    website: Mapped[str] = mapped_column(String(500))

    def name(self, lang: str) -> str:
        return {"uk": self.name_uk, "en": self.name_en}.get(lang, self.name_pl)
