"""The shipped content/ folder: complete, valid and already in canonical form."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kontakt.knowledge.content import ContentError, article_paths, article_text, load_content
from tests.conftest import CONTENT

TOPICS = [
    "general",
    "seniors",
    "waste",
    "benefits",
    "child_health",
    "driving_vehicles",
    "civil_registry",
    "citizen_affairs",
    "local_taxes",
    "business",
    "environment",
    "urban_planning",
    "property",
    "municipal_housing",
    "education",
    "health_programs",
    "covid",
    "vaccination",
    "transport_parking",
    "streets",
    "cemeteries",
    "foreigners",
]


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    return load_content(CONTENT)


def test_exactly_the_22_topics(content) -> None:  # type: ignore[no-untyped-def]
    assert [t.id for t in content.topics] == TOPICS


def test_units_are_the_seed_17_plus_contact_office(content) -> None:  # type: ignore[no-untyped-def]
    assert len(content.units) == 18
    assert "bpk" in {u.id for u in content.units}


def test_every_topic_has_at_least_four_polish_articles(content) -> None:  # type: ignore[no-untyped-def]
    per_topic = Counter(a.topic for a in content.articles)
    assert {t: per_topic[t] for t in TOPICS if per_topic[t] < 4} == {}
    assert len(content.articles) >= 150


def test_at_least_50_articles_in_all_three_languages(content) -> None:  # type: ignore[no-untyped-def]
    trilingual = [a.id for a in content.articles if a.uk is not None and a.en is not None]
    assert len(trilingual) >= 50


def test_files_are_canonical(content) -> None:  # type: ignore[no-untyped-def]
    by_id = {a.id: a for a in content.articles}
    differing = [
        p.name
        for p in article_paths(CONTENT)
        if p.read_text(encoding="utf-8") != article_text(by_id[p.stem])
    ]
    assert differing == []


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_field_names_file_and_field(content_copy: Path) -> None:
    path = content_copy / "articles/citizen_affairs/zameldowanie.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("unit: wsoiuk\n", ""), encoding="utf-8"
    )
    with pytest.raises(ContentError) as err:
        load_content(content_copy)
    assert str(err.value) == f"{path}: field 'unit': Field required"


def test_too_few_questions_is_reported_with_the_path(content_copy: Path) -> None:
    path = content_copy / "articles/citizen_affairs/zameldowanie.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - Gdzie mogę się zameldować na pobyt stały?\n", "")
    text = text.replace("  - Jakie dokumenty są potrzebne do zameldowania?\n", "")
    text = text.replace("  - Czy zameldowanie można załatwić przez internet?\n", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_content(content_copy)
    assert err.value.field == "pl.questions"
    assert err.value.path == str(path)


def test_broken_yaml_gives_the_line(content_copy: Path) -> None:
    path = _write(content_copy, "articles/waste/zepsuty.yaml", "id: zepsuty\ntopic: [waste\n")
    with pytest.raises(ContentError) as err:
        load_content(content_copy)
    assert str(err.value).startswith(f"{path}: ")
    assert "line" in str(err.value)


def test_unknown_topic_and_wrong_folder(content_copy: Path) -> None:
    src = (content_copy / "articles/citizen_affairs/zameldowanie.yaml").read_text(encoding="utf-8")
    path = _write(
        content_copy,
        "articles/waste/zameldowanie2.yaml",
        src.replace("id: zameldowanie\n", "id: zameldowanie2\n"),
    )
    with pytest.raises(ContentError) as err:
        load_content(content_copy)
    assert err.value.path == str(path)
    assert err.value.field == "topic"


def test_non_utf8_file(content_copy: Path) -> None:
    path = content_copy / "articles/waste/latin2.yaml"
    path.write_bytes("id: latin2\ntitle: ąę\n".encode("iso-8859-2"))
    with pytest.raises(ContentError) as err:
        load_content(content_copy)
    assert str(err.value) == f"{path}: not valid UTF-8"


def test_overlong_answer_is_rejected(content_copy: Path) -> None:
    path = content_copy / "articles/citizen_affairs/zameldowanie.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "    Zameldowanie jest bezpłatne.",
        "    " + "słowo " * 160 + "\n    Zameldowanie jest bezpłatne.",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_content(content_copy)
    assert err.value.field == "pl"
    assert "words" in err.value.message
