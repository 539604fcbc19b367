"""Build the pocketsphinx artifacts of one language from ``content/``: a pronunciation
lexicon, an ARPA bigram LM for each open step and a JSGF grammar for each closed one.

Artifacts live in ``<voice_dir>/asr/<lang>-<hash>/``, where the hash covers the content
files they come from and the code that turns them into artifacts, so a stale build is
never used: the server asks ``build_dir`` for the current folder and builds it when it
is missing (a few seconds). A build goes to a temporary folder that is renamed into
place, so a half-written build is never seen and two processes building at once are
harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kontakt.voice.asr.arpa import write_arpa
from kontakt.voice.asr.base import STEPS, AsrError, Step
from kontakt.voice.asr.corpus import step_text
from kontakt.voice.asr.grammar import digits_grammar, phrase_grammar
from kontakt.voice.asr.lexicon import (
    cmudict_lexicon,
    polish_lexicon,
    polish_variants,
    write_dict,
)
from kontakt.voice.asr.text import restore_lines, words

log = logging.getLogger(__name__)

LANGS = ("pl", "en")  # languages the pocketsphinx engine can be built for
GRAMMAR_STEPS: tuple[Step, ...] = ("yes_no", "digits")
_CODE = ("arpa.py", "build.py", "corpus.py", "grammar.py", "lexicon.py", "text.py")


@dataclass(frozen=True)
class Artifacts:
    """The files of one build; ``search(step)`` is the LM (.arpa) or grammar (.gram)."""

    folder: Path
    lang: str

    @property
    def dictionary(self) -> Path:
        return self.folder / "lexicon.dict"

    def search(self, step: Step) -> Path:
        suffix = ".gram" if step in GRAMMAR_STEPS else ".arpa"
        return self.folder / f"{step}{suffix}"

    def meta(self) -> dict[str, object]:
        data: dict[str, object] = json.loads((self.folder / "meta.json").read_text("utf-8"))
        return data


def content_hash(content_dir: Path, lang: str) -> str:
    """Hash of everything a build reads, and of the code that builds it."""
    digest = hashlib.sha256(f"{lang}\n".encode())
    files = [content_dir / n for n in ("topics.yaml", "units.yaml", "services.yaml")]
    files += sorted((content_dir / "articles").glob("*/*.yaml"))
    files += sorted((content_dir / "training" / lang).glob("*.txt"))
    files += [Path(__file__).with_name(name) for name in _CODE]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_dir(voice_dir: Path, content_dir: Path, lang: str) -> Path:
    return voice_dir / "asr" / f"{lang}-{content_hash(content_dir, lang)}"


def ensure_built(voice_dir: Path, content_dir: Path, lang: str) -> Artifacts:
    """The current build for ``lang``, built first if it is missing or stale."""
    folder = build_dir(voice_dir, content_dir, lang)
    if not (folder / "meta.json").is_file():
        build(voice_dir, content_dir, lang)
    return Artifacts(folder, lang)


def build(voice_dir: Path, content_dir: Path, lang: str) -> Artifacts:
    if lang not in LANGS:
        raise AsrError(f"no pocketsphinx build for language {lang!r}")
    started = time.perf_counter()
    folder = build_dir(voice_dir, content_dir, lang)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{lang}-", dir=folder.parent))
    try:
        meta = _write(tmp, content_dir, lang)
        meta["build"] = folder.name
        meta["seconds"] = round(time.perf_counter() - started, 2)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        tmp.chmod(0o755)  # mkdtemp makes it private to the building user
        _replace(folder, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(folder)
    log.info("built %s in %.1f s", folder, time.perf_counter() - started)
    return Artifacts(folder, lang)


def _replace(folder: Path, new: Path) -> None:
    """Move ``new`` to ``folder``; an existing build (a forced rebuild, or another process
    that was quicker) is moved aside first, so readers see one whole build or the other."""
    try:
        os.rename(new, folder)
        return
    except OSError:
        pass
    old = folder.with_name(f".old-{folder.name}-{os.getpid()}")
    with contextlib.suppress(OSError):
        os.rename(folder, old)
    try:
        os.rename(new, folder)
    except OSError:
        log.info("%s was rebuilt by another process meanwhile", folder)
    shutil.rmtree(old, ignore_errors=True)


def _write(out: Path, content_dir: Path, lang: str) -> dict[str, object]:
    text = step_text(content_dir, lang)
    sentences: dict[Step, list[list[str]]] = {}
    for step in STEPS:
        lines = text.phrases[step]
        sentences[step] = restore_lines(lines) if lang == "pl" else [words(x) for x in lines]
    vocabulary = {w for step in STEPS for line in sentences[step] for w in line}
    if lang == "pl":
        lexicon = polish_lexicon(vocabulary)
        write_dict(lexicon, out / "lexicon.dict", polish_variants)
    else:
        from pocketsphinx import get_model_path

        lexicon = cmudict_lexicon(vocabulary, Path(get_model_path(), "en-us", "cmudict-en-us.dict"))
        write_dict(lexicon, out / "lexicon.dict")
    artifacts = Artifacts(out, lang)
    for step in STEPS:
        # Words without a pronunciation are left out of the sentences that hold them.
        known = [[w for w in line if w in lexicon] for line in sentences[step]]
        known = [line for line in known if line]
        if step == "digits":
            artifacts.search(step).write_text(digits_grammar(lang), encoding="utf-8")
        elif step in GRAMMAR_STEPS:
            phrases = [" ".join(line) for line in known]
            artifacts.search(step).write_text(phrase_grammar(step, phrases), encoding="utf-8")
        else:
            write_arpa(known, artifacts.search(step))
    return {
        "lang": lang,
        "words": len(lexicon),
        "missing_words": sorted(vocabulary - lexicon.keys())[:200],
        "sentences": {step: len(sentences[step]) for step in STEPS},
    }


def _prune(current: Path) -> None:
    """Remove older builds of the same language (loaded decoders keep them in memory)."""
    prefix = current.name.rsplit("-", 1)[0] + "-"
    for other in current.parent.glob(f"{prefix}*"):
        if other != current and other.is_dir() and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
