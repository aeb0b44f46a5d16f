#!/usr/bin/env python3
"""Generates the multilingual evaluation set (Cranfield/SMART format).

Every document is generated from templates: it is ABOUT one topic (its
title and most sentences use that topic's words, in the inflected forms and
letter variants real text mixes), mentions one other topic in passing, and
shares filler words with every other document. Judgments follow from the
construction, never from an analyser: a query asks for one topic; the two
documents with the topic in the title and body are fully relevant (code 1),
the third, a side story that mentions it in two sentences, partly (code 3);
passing mentions are not relevant. Queries are typed the way readers type:
the other keyboard's letter forms (Urdu/Arabic), without nukta or with
anusvara (Hindi), ae/oe/ue and ss for umlauts and ß (German), words without
spaces (Chinese), and sometimes another inflection than the documents use.

    python3 testdata/multilingual/generate.py   # rewrites the four folders
"""
import os, random

HERE = os.path.dirname(os.path.abspath(__file__))

URDU_TO_ARABIC = str.maketrans({"ی": "ي", "ک": "ك", "ہ": "ه", "ے": "ي", "ۃ": "ة"})

LANGS = {
 "ur": dict(
  sep=" ", end="۔",
  topics=[
   ["انتخابات", "الیکشن", "ووٹ", "ووٹر", "پولنگ"],
   ["سیلاب", "بارش", "بارشوں", "دریا"],
   ["کرکٹ", "ٹیم", "میچ", "کھلاڑی", "کپتان"],
   ["مہنگائی", "قیمتیں", "معیشت", "بجٹ"],
   ["تعلیم", "اسکول", "طلبہ", "استاد"],
   ["صحت", "ہسپتال", "ڈاکٹر", "مریض"],
   ["بجلی", "لوڈشیڈنگ", "توانائی", "گیس"],
   ["ریلوے", "ٹرین", "اسٹیشن", "مسافر"],
   ["گندم", "کسان", "فصل", "کھیت"],
   ["انٹرنیٹ", "موبائل", "ٹیکنالوجی", "فون"],
  ],
  filler=["حکومت", "شہر", "عوام", "وزیر", "رپورٹ", "صوبہ", "اجلاس", "عدالت"],
  templates=["{a} کے بارے میں {f} نے نیا فیصلہ کیا", "شہر میں {a} پر بات ہوئی اور {f} کا ذکر بھی آیا",
             "لاہور اور کراچی میں {a} کی خبریں ہیں", "وزیر نے کہا کہ {a} اور {b} اہم مسئلہ ہے",
             "{f} کی رپورٹ میں {a} کا ذکر ہے"],
  title="{a} اور {b}: {f} کی نئی رپورٹ",
  side="{f} کا اجلاس: کئی موضوعات",
  queries=[(0, "اليكشن ووٹر"), (1, "سيلاب بارش"), (2, "كركٹ ٹيم"), (3, "مهنگائي"), (4, "تعليم اسكول"),
           (5, "هسپتال ڈاكٹر"), (6, "بجلي لوڈشيڈنگ"), (7, "ٹرين مسافر"), (8, "كسان گندم"), (9, "موبائل فون"),
           (0, "انتخابات پولنگ"), (3, "قیمتیں بجٹ"), (5, "مریض صحت"), (2, "کھلاڑي کپتان"), (6, "گيس توانائی")],
  variant=lambda s, rnd: s.translate(URDU_TO_ARABIC) if rnd.random() < 0.5 else s,
 ),
 "hi": dict(
  sep=" ", end="।",
  topics=[
   ["चुनाव", "चुनावों", "मतदान", "मतदाता", "वोट"],
   ["बाढ़", "बारिश", "नदी", "नदियों"],
   ["क्रिकेट", "टीम", "मैच", "खिलाड़ी", "कप्तान"],
   ["महँगाई", "क़ीमत", "क़ीमतें", "अर्थव्यवस्था", "बजट"],
   ["शिक्षा", "स्कूल", "स्कूलों", "छात्र", "अध्यापक"],
   ["स्वास्थ्य", "अस्पताल", "अस्पतालों", "डॉक्टर", "मरीज़"],
   ["बिजली", "ऊर्जा", "गैस", "कटौती"],
   ["रेलवे", "ट्रेन", "स्टेशन", "यात्री", "यात्रियों"],
   ["गेहूँ", "किसान", "किसानों", "फ़सल", "खेत"],
   ["इंटरनेट", "मोबाइल", "तकनीक", "फ़ोन"],
  ],
  filler=["सरकार", "शहर", "जनता", "मंत्री", "रिपोर्ट", "राज्य", "बैठक", "अदालत"],
  templates=["{a} के बारे में {f} ने नया फ़ैसला किया", "शहर में {a} पर चर्चा हुई और {f} का ज़िक्र भी आया",
             "दिल्ली और मुंबई में {a} की ख़बरें हैं", "मंत्री ने कहा कि {a} और {b} अहम मुद्दा है",
             "{f} की रिपोर्ट में {a} का ज़िक्र है"],
  title="{a} और {b}: {f} की नई रिपोर्ट",
  side="{f} की बैठक: कई मुद्दे",
  queries=[(0, "चुनाव मतदाता"), (1, "बाढ बारिश"), (2, "खिलाडी टीम"), (3, "महंगाई कीमत"), (4, "छात्र स्कूल"),
           (5, "मरीज अस्पताल"), (6, "बिजली कटौती"), (7, "ट्रेन यात्री"), (8, "फसल किसान"), (9, "फोन इंटरनेट"),
           (0, "मतदान"), (3, "बजट अर्थव्यवस्था"), (8, "गेहूं खेत"), (5, "डॉक्टर स्वास्थ्य"), (1, "नदी")],
  variant=lambda s, rnd: s,
 ),
 "de": dict(
  sep=" ", end=".",
  topics=[
   ["Wahl", "Wahlen", "Wähler", "Wählern", "Stimmen"],
   ["Hochwasser", "Überschwemmung", "Überschwemmungen", "Regen", "Flüsse"],
   ["Fußball", "Mannschaft", "Spiel", "Spieler", "Trainer"],
   ["Inflation", "Preise", "Preisen", "Wirtschaft", "Haushalt"],
   ["Schule", "Schulen", "Schüler", "Lehrer", "Bildung"],
   ["Gesundheit", "Krankenhaus", "Krankenhäuser", "Ärzte", "Patienten"],
   ["Strom", "Energie", "Strompreise", "Gas", "Kraftwerk"],
   ["Bahn", "Züge", "Zug", "Bahnhof", "Fahrgäste"],
   ["Weizen", "Bauern", "Landwirte", "Ernte", "Felder"],
   ["Internet", "Handy", "Technik", "Mobilfunk", "Netz"],
  ],
  filler=["Regierung", "Stadt", "Bürger", "Minister", "Bericht", "Land", "Sitzung", "Gericht"],
  templates=["Über {a} hat die {f} neu entschieden", "In der Stadt sprach man über {a} und auch über die {f}",
             "In Berlin und München gibt es Nachrichten über {a}", "Der Minister sagte, {a} und {b} seien wichtig",
             "Der Bericht der {f} erwähnt {a}"],
  title="{a} und {b}: ein neuer Bericht der {f}",
  side="Sitzung der {f}: viele Themen",
  queries=[(0, "Waehler Wahl"), (1, "Ueberschwemmung Hochwasser"), (2, "Fussball Spieler"), (3, "Preise Inflation"),
           (4, "Schueler Schule"), (5, "Krankenhaeuser Aerzte"), (6, "Strompreise"), (7, "Zuege Bahnhof"),
           (8, "Bauern Ernte"), (9, "Mobilfunk Netz"), (0, "Wahlen Stimmen"), (1, "Regen Fluesse"),
           (2, "Trainer Mannschaft"), (4, "Lehrer Bildung"), (6, "Gas Energie")],
  variant=lambda s, rnd: s,
 ),
 "zh": dict(
  sep="", end="。",
  topics=[
   ["选举", "投票", "选民", "候选人"],
   ["洪水", "暴雨", "河流", "降雨"],
   ["足球", "比赛", "球队", "球员"],
   ["通货膨胀", "物价", "经济", "预算"],
   ["教育", "学校", "学生", "老师"],
   ["医院", "医生", "病人", "健康"],
   ["电力", "停电", "能源", "天然气"],
   ["铁路", "火车", "车站", "乘客"],
   ["小麦", "农民", "收成", "农田"],
   ["互联网", "手机", "技术", "网络"],
  ],
  filler=["政府", "城市", "市民", "部长", "报告", "省份", "会议", "法院"],
  templates=["{f}就{a}作出了新的决定", "城里人们谈论{a}，也提到了{f}", "在北京和上海，{a}成为话题",
             "部长说{a}和{b}很重要", "{f}的报告提到了{a}"],
  title="{a}和{b}：{f}的新报告",
  side="{f}会议：多个议题",
  queries=[(0, "选举投票"), (1, "洪水"), (2, "足球比赛"), (3, "物价上涨"), (4, "学校教育"), (5, "医院病人"),
           (6, "停电"), (7, "火车乘客"), (8, "农民收成"), (9, "手机网络"), (0, "选民"), (1, "暴雨 河流"),
           (2, "球员"), (3, "经济预算"), (4, "老师 学生")],
  variant=lambda s, rnd: s,
 ),
}


def generate(code, L):
    rnd = random.Random("broadsheet-" + code)
    topics, docs, qrels = L["topics"], [], []
    n = 0
    for t, words in enumerate(topics):
        for k in range(3):
            n += 1
            other = topics[(t + 1 + rnd.randrange(len(topics) - 1)) % len(topics)]
            def sentence(ws):
                tpl = rnd.choice(L["templates"])
                return tpl.format(a=rnd.choice(ws), b=rnd.choice(ws), f=rnd.choice(L["filler"])) + L["end"]
            if k < 2:  # about the topic
                title = L["title"].format(a=words[k % len(words)], b=rnd.choice(words[1:]), f=rnd.choice(L["filler"]))
                body = [sentence(words) for _ in range(4)]
            else:  # a side story: two sentences on the topic among others
                title = L["side"].format(f=rnd.choice(L["filler"]))
                body = [sentence(rnd.choice(topics)) for _ in range(2)] + [sentence(words) for _ in range(2)]
                rnd.shuffle(body)
            body.insert(rnd.randrange(len(body) + 1), sentence(other))  # a passing mention
            title, body = L["variant"](title, rnd), [L["variant"](s, rnd) for s in body]
            docs.append((n, title, L["sep"].join(body)))
            qrels.append((t, n, 1 if k < 2 else 3))
    with open(os.path.join(HERE, code, "docs.all"), "w") as f:
        for i, title, body in docs:
            f.write(f".I {i}\n.T\n{title}\n.W\n{body}\n")
    with open(os.path.join(HERE, code, "queries.qry"), "w") as f:
        for i, (_, q) in enumerate(L["queries"], 1):
            f.write(f".I {i}\n.W\n{q}\n")
    with open(os.path.join(HERE, code, "qrels"), "w") as f:
        for qi, (topic, _) in enumerate(L["queries"], 1):
            for t, d, c in qrels:
                if t == topic:
                    f.write(f"{qi} {d} {c}\n")


for code, L in LANGS.items():
    os.makedirs(os.path.join(HERE, code), exist_ok=True)
    generate(code, L)
