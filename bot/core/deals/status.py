"""How sure the text is: rumoured, announced, completed; offers rejected and talks that failed."""

from __future__ import annotations

import re

from bot.core.deals.casefree import CaseFree


RUMOR = CaseFree(
    r"reportedly|is\s+said\s+to|are\s+said\s+to|said\s+to\s+(?:be|near|weigh|plan|consider)|in\s+(?:advanced\s+|early\s+)?talks"
    r"|in\s+(?:advanced\s+)?discussions|negotiat|consider(?:s|ing)|weigh(?:s|ing)|explor(?:es|ing)|mull"
    r"|plans?\s+to|planning\s+to|according\s+to|people\s+familiar|sources|rumou?r"
    r"|selon|d['’]apr[èe]s|aurai(?:t|ent)|serai(?:t|ent)|pourrai(?:t|ent)|envisag|en\s+discussions?"
    r"|en\s+n[ée]gociations?|n[ée]gocie|projette|rumeur"
    r"|\bsoll(?:en|te|ten)?\b|\bw[üu]rden?\b|\bdürften?\b|\blaut\b|Berichten\s+zufolge|erw[äa]g|Gespräche|verhandel|\bplant\b|könnte"
    r"|según|estar[íi]a[n]?|negoci|conversaciones|sopes|baraj|considera|podr[íi]a|planea|posible", by_first_words=True)
COMPLETED = CaseFree(
    r"\b(?:closed|completed|finali[sz]ed|has\s+acquired|have\s+acquired|has\s+invested|have\s+invested"
    r"|has\s+(?:put|injected|poured|committed|bought|taken|purchased)|began\s+trading|since\s+(?:19|20)\d\d"
    r"|already|previously|last\s+year|a\s+year\s+(?:after|ago)|years\s+ago|earlier\s+this\s+year"
    r"|(?<!has\s)(?<!have\s)(?<!had\s)(?<!was\s)(?<!were\s)(?<!be\s)(?<!been\s)\b(?:acquired|bought|invested|raised|purchased|took)"
    r"|a\s+(?:investi|inject[ée]|acquis|rachet[ée]|boucl[ée]|finalis[ée]|achet[ée]|lev[ée]\s+l['’]an)|ont\s+(?:investi|acquis|rachet[ée])"
    r"|boucl[ée]e?s?|finalis[ée]e?s?|d[ée]j[àa]|l['’]an\s+dernier|l['’]ann[ée]e\s+derni[èe]re"
    r"|abgeschlossen|hat\s+(?:\S+\s+){0,8}(?:investiert|übernommen|gekauft|erworben)|übernahm|kaufte|investierte|bereits"
    r"|cerr[óo]|complet[óo]|ha(?:n)?\s+(?:invertido|adquirido|comprado|cerrado|completado|finalizado)|adquiri[óo]|compr[óo]|invirti[óo]|desembols[óo]"
    r"|pag[óo]|\ben\s+(?:19|20)\d\d|\bin\s+(?:19|20)\d\d|\bya\b)", by_first_words=True)
NOT_YET = CaseFree(
    r"expected\s+to\s+(?:close|complete)|subject\s+to|pending|attendue?|sous\s+r[ée]serve|erwartet|vorbehaltlich|pendiente|sujeta")
# A clause that reports an offer turned down or a plan given up describes no deal.
ABANDONED = CaseFree(
    r"reject|turn(?:ed|s)?\s+down|abandon|scrap(?:ped|s)?|call(?:ed|s)?\s+off|withdr[ae]w|walk(?:ed|s)?\s+away"
    r"|collaps|blocked|terminat|fell\s+through|originally\s+planned|had\s+planned|drop(?:ped|s)\s+(?:its|the)\s+(?:bid|plan|offer)"
    r"|rejet|refus|renonc|avort|retir[ée]|[ée]chou|initialement\s+pr[ée]vu|avait\s+pr[ée]vu"
    r"|abgelehnt|lehnt\w*\s+ab|gescheitert|abgesagt|zurückgezogen|aufgegeben|geplatzt|ursprünglich\s+geplant|hatte\s+\S*\s*geplant"
    r"|rechaz|abandon|retir[óo]|fracas|cancel|desisti|inicialmente\s+planead"
    r"|f[ae]ll(?:en|s)?\s+apart|pas\s+abouti|no\s+prosper|sin\s+acuerdo|ohne\s+Einigung|ergebnislos", by_first_words=True)
# A sentence of its own saying the talks went nowhere: "Les pourparlers n'auraient pas abouti."
# Searched over the whole article, so tried only where "talks", "pourparlers"... begin (9.7 -> 5.9
# us per deal article).
TALKS_FAILED = CaseFree(
    r"(?:talks|discussions|negotiations|pourparlers|discussions|négociations|Gespräche|Verhandlungen|conversaciones|negociaciones)"
    r"\W+(?:\w+\W+){0,3}?(?:failed|collapsed|ended|f[ae]ll(?:en)?\s+apart|went\s+nowhere|n['’]\w+\s+pas\s+abouti|ont\s+échoué"
    r"|auraient\s+échoué|scheiterten|sind\s+gescheitert|gescheitert|fracasaron|no\s+prosperaron|no\s+llegaron)", by_first_words=True)
PLEDGE = CaseFree(r"pledg|vow|promis|s['’]engage\s+à|verspr|zugesagt|se\s+compromet|prometi")
_EXISTING_STAKE = CaseFree(
    r"\b(?:holds?|held|owns?|retains?|keeps?|d[ée]tient|d[ée]tenait|conserve|poss[èe]de|h[äa]lt|hielt|besitzt|posee|mantiene|conserva)\b")


# A cue verb in the conditional mood reports a deal as hearsay: "Meta prendrait 49 % de Scale AI",
# "rachèterait", "Meta tomaría el 49 %", "compraría" (corpus convention: conditional = rumored).
CONDITIONAL_CUE = re.compile(r"^\w+(?:rait|raient|ría|rían)\b")
