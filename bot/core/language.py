"""Which of English, French, German or Spanish a short news text is written in.

Counts frequent words that belong to one language only (articles, pronouns, prepositions,
auxiliaries, and the words of deal news: "raises", "milliards", "Übernahme", "millones"), plus
letters only one of them uses (ß, ñ, ç...). Good enough for a title and a summary, and cheap:
the analysis asks for every entry whose feed does not say its language.
"""

from __future__ import annotations

import re

# Words (nearly) exclusive to one language. Words two of them share ("de", "la", "en", "un",
# "a", "in", "die", "que", "son"...) are left out: they would only add noise.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""
        the and of to is are was were with for that this from by has have had its it's will
        would which who been their they after over into about than also said says new on at
        as be or not more first up its could should
        raises raised buys bought takes deal billion stake funding round valuation acquires
        agrees launches reportedly talks shares investors revenue company startup backed led
        """.split()),
    "fr": frozenset("""
        le les des du et est sont une dans pour par sur avec qui ses aux cette été pas ont
        leur mais selon aussi lors comme être chez depuis annoncé d'un d'une l'entreprise
        c'est n'a qu'il au sa ces nous
        milliard milliards lève levée rachète rachat valorisée valorisation entreprise
        société investit participation capital opération actionnaires start-up annonce
        """.split()),
    "de": frozenset("""
        der die das und ist sind mit für von auf den dem ein eine einen einem nicht sich
        auch wird wurde werden hat haben nach bei zum zur über sein seine ihre aus wie noch
        im vom soll
        milliarde milliarden millionen übernimmt übernahme kauft anteile beteiligung
        investiert unternehmen bewertung konzern
        """.split()),
    "es": frozenset("""
        el los las del y es una por para con su sus al como más pero según este esta ha han
        fue sobre también lo hasta desde cuando hay dijo
        millones millón compra adquiere invertirá invierte empresa participación dólares
        ronda valoración acuerdo
        """.split()),
}
_LANG_OF_WORD = {word: lang for lang, vocabulary in _STOPWORDS.items() for word in vocabulary}
if sum(map(len, _STOPWORDS.values())) != len(_LANG_OF_WORD):
    raise ValueError("a stop word is listed for two languages")
_ALL_STOPWORDS = frozenset(_LANG_OF_WORD)

# Letters that point at one language; each one present counts like a word.
_LETTER_LANG = {"ß": "de", "ä": "de", "ö": "de", "ü": "de", "ñ": "es", "¿": "es", "¡": "es",
                "á": "es", "í": "es", "ó": "es", "ú": "es", "ç": "fr", "è": "fr", "ê": "fr",
                "à": "fr", "œ": "fr", "ù": "fr", "î": "fr", "ô": "fr", "â": "fr"}

_PUNCTUATION = ".,;:!?()«»\"“”„"
_MIN_EVIDENCE = 2  # with a hint, fewer hits than this means the text is too short to tell
_CLEAR_LEAD = 4  # this many distinct words: no need to look at letters
_MAX_CHARS = 400  # a title and the start of the summary are enough; long entries cost the same

# The fast way to the words of a sample (see `_stopwords_latin1`): one bytes.translate over the
# Latin-1 bytes that lowers letters and blanks punctuation and white space exactly as
# `str.lower()`, the punctuation list and `str.split()` would.
_LATIN1_SAMPLE_TABLE = bytes(
    0x20 if chr(code).isspace() or chr(code) in _PUNCTUATION else ord(chr(code).lower())
    for code in range(256)
)
_LATIN1_STOPWORDS = frozenset(word.encode("latin-1") for word in _ALL_STOPWORDS)
_LANG_OF_LATIN1_WORD = {word.encode("latin-1"): lang for word, lang in _LANG_OF_WORD.items()}
# Characters beyond Latin-1 that the fast way cannot pass through as an opaque escape: the
# punctuation of the list, Unicode white space (a word boundary for `str.split()`), and the five
# capitals whose lower case is a Latin-1 letter (İ Ÿ ẞ K Å). A test checks every code point.
_WIDE_QUOTES = "“”„"
_WIDE_SPACE_OR_CASED = re.compile(
    "[\u0130\u0178\u1680\u1e9e\u2000-\u200a\u2028\u2029\u202f\u205f\u212a\u212b\u3000]"
)


def guess_language(text: str, hint: str | None = None) -> str | None:
    """'en', 'fr', 'de' or 'es' for `text`.

    `hint` (e.g. the feed's language) wins when the text is too short to tell or when it ties;
    None when there is neither evidence nor hint."""
    hinted = _normalise_hint(hint)
    sample = text[:_MAX_CHARS].replace("’", "'")
    # Distinct words, matched by one C-level set intersection with every vocabulary at once, then
    # counted per language (the vocabularies share no word): a Python loop over the tokens cost
    # three times as much, one intersection per language a third more. This runs on every entry.
    found = _stopwords_latin1(sample)
    lang_of = _LANG_OF_LATIN1_WORD
    if found is None:
        found = _stopwords_unicode(sample)
        lang_of = _LANG_OF_WORD
    scores = dict.fromkeys(_STOPWORDS, 0)
    for word in found:
        scores[lang_of[word]] += 1
    best = max(scores.values())
    if best < _CLEAR_LEAD or list(scores.values()).count(best) > 1:
        # Few words to go on: letters only one language uses tip the balance.
        lowered = sample.lower()
        for letter, lang in _LETTER_LANG.items():
            if letter in lowered:
                scores[lang] += 1
        best = max(scores.values())
    if best == 0 or (hinted and best < _MIN_EVIDENCE):
        return hinted
    leaders = [lang for lang, score in scores.items() if score == best]
    if hinted in leaders:
        return hinted
    return leaders[0] if len(leaders) == 1 else hinted


def _stopwords_unicode(sample: str) -> frozenset[str]:
    """The stop words among the words of `sample` (lowered, punctuation as spaces)."""
    sample = sample.lower()
    for mark in _PUNCTUATION:
        sample = sample.replace(mark, " ")
    return _ALL_STOPWORDS.intersection(sample.split())


def _stopwords_latin1(sample: str) -> frozenset[bytes] | None:
    """`_stopwords_unicode(sample)` as Latin-1 bytes, or None when the sample needs full Unicode.

    `str.lower()` of a French or German sample goes through the Unicode tables character by
    character, and the eleven `replace` calls each copy it: ~30k instructions of the ~95k of a
    guess. Here one `bytes.translate` does both, and splitting bytes is cheaper than splitting a
    str (measured per bench article: 97k -> 73k instructions plain, 90k -> 77k deal-heavy). A character beyond Latin-1 (€, –, …) turns into
    a backslash escape glued to its word, which then matches no stop word, as the lowered
    character would not: the same words are found. The few that are word boundaries or lower
    into Latin-1 letters send the sample to `_stopwords_unicode`.
    """
    data = sample.encode("latin-1", "backslashreplace")
    if b"\\" in data:  # characters beyond Latin-1 (or a plain backslash)
        for quote in _WIDE_QUOTES:
            sample = sample.replace(quote, " ")
        if _WIDE_SPACE_OR_CASED.search(sample):
            return None
        data = sample.encode("latin-1", "backslashreplace")
    return _LATIN1_STOPWORDS.intersection(data.translate(_LATIN1_SAMPLE_TABLE).split())


def _normalise_hint(hint: str | None) -> str | None:
    # Feeds write "fr-FR", "en_US", "DE": keep the two-letter language.
    if not hint:
        return None
    return hint.strip().lower().replace("_", "-").split("-")[0] or None
