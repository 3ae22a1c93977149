"""Which of English, French, German or Spanish a short news text is written in.

Counts frequent words that belong to one language only (articles, pronouns, prepositions,
auxiliaries, and the words of deal news: "raises", "milliards", "Übernahme", "millones"), plus
letters only one of them uses (ß, ñ, ç...). Good enough for a title and a summary, and cheap:
the analysis asks for every entry whose feed does not say its language.
"""

from __future__ import annotations

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


def guess_language(text: str, hint: str | None = None) -> str | None:
    """'en', 'fr', 'de' or 'es' for `text`.

    `hint` (e.g. the feed's language) wins when the text is too short to tell or when it ties;
    None when there is neither evidence nor hint."""
    hinted = _normalise_hint(hint)
    sample = text[:_MAX_CHARS].lower().replace("’", "'")
    for mark in _PUNCTUATION:
        sample = sample.replace(mark, " ")
    # Distinct words, matched by one C-level set intersection with every vocabulary at once, then
    # counted per language (the vocabularies share no word): a Python loop over the tokens cost
    # three times as much, one intersection per language a third more. This runs on every entry.
    scores = dict.fromkeys(_STOPWORDS, 0)
    for word in _ALL_STOPWORDS.intersection(sample.split()):
        scores[_LANG_OF_WORD[word]] += 1
    best = max(scores.values())
    if best < _CLEAR_LEAD or list(scores.values()).count(best) > 1:
        # Few words to go on: letters only one language uses tip the balance.
        for letter, lang in _LETTER_LANG.items():
            if letter in sample:
                scores[lang] += 1
        best = max(scores.values())
    if best == 0 or (hinted and best < _MIN_EVIDENCE):
        return hinted
    leaders = [lang for lang, score in scores.items() if score == best]
    if hinted in leaders:
        return hinted
    return leaders[0] if len(leaders) == 1 else hinted


def _normalise_hint(hint: str | None) -> str | None:
    # Feeds write "fr-FR", "en_US", "DE": keep the two-letter language.
    if not hint:
        return None
    return hint.strip().lower().replace("_", "-").split("-")[0] or None
