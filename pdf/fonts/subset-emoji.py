#!/usr/bin/python3
"""Builds emoji.ttf, the emoji font the PDF renderer embeds, from Noto Emoji.

usage: subset-emoji.py NotoEmoji-Regular.ttf emoji.ttf

fpdf reads only a format-4 cmap, which cannot reach the emoji planes, and it
does no shaping. So the output maps every glyph into the Basic Multilingual
Plane, by rules that fonts.go repeats:
  U+2000..U+FFFF   kept at their own code points;
  U+1F000..U+1FAFF moved to U+E000 + (cp - 0x1F000);
  keycaps          (# * 0-9 followed by U+20E3) at U+F000 + the ASCII code.
Skin tones, ZWJ sequences, flags and tag sequences need shaping and are left
out, which also keeps the file small.
"""
import sys

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._c_m_a_p import cmap_format_4

SKIN_TONES = range(0x1F3FB, 0x1F400)
JOINERS = {0x200D, 0x20E3, 0xFE0E, 0xFE0F}


def keycaps(font):
    """Maps ASCII codes to the ligature glyphs of '#', '*' and digits + U+20E3."""
    names = {font.getBestCmap()[c]: c for c in b"#*0123456789"}
    found = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        if lookup.LookupType != 4:
            continue
        for st in lookup.SubTable:
            for first, ligatures in st.ligatures.items():
                for lig in ligatures:
                    if first in names and lig.Component == ["uni20E3"]:
                        found[0xF000 + names[first]] = lig.LigGlyph
    return found


def mapping(font):
    out = {}
    for cp, glyph in font.getBestCmap().items():
        if 0x2000 <= cp <= 0xFFFF and cp not in JOINERS:
            out[cp] = glyph
        elif 0x1F000 <= cp <= 0x1FAFF and cp not in SKIN_TONES:
            out[0xE000 + cp - 0x1F000] = glyph
    out.update(keycaps(font))
    return out


def main(src, dst):
    font = TTFont(src)
    cmap = mapping(font)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "STAT", "vhea", "vmtx", "gasp"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    sub = subset.Subsetter(options)
    sub.populate(glyphs=sorted(set(cmap.values())))
    sub.subset(font)
    tables = []
    for platform, encoding in ((0, 3), (3, 1)):
        t = cmap_format_4(4)
        t.platformID, t.platEncID, t.language = platform, encoding, 0
        t.cmap = dict(cmap)
        tables.append(t)
    font["cmap"].tables = tables
    font["post"].formatType = 3.0  # glyph names are of no use to a PDF
    font.save(dst)


if __name__ == "__main__":
    main(*sys.argv[1:])
