package analysis

// Function words of the languages whose stop lists Snowball does not ship,
// as typed; they are folded like any word before they are looked up.

// germanStopWords: articles, pronouns, prepositions, conjunctions and
// auxiliaries (a shorter list than Snowball's German one, for the reason
// stopwords.go gives for English).
var germanStopWords = []string{
	"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen",
	"und", "oder", "aber", "doch", "sondern", "denn", "dass", "daß", "ob", "wenn", "als", "wie",
	"in", "im", "ins", "an", "am", "ans", "auf", "aus", "bei", "beim", "mit", "nach", "von", "vom", "zu", "zum", "zur",
	"für", "um", "durch", "über", "unter", "vor", "hinter", "neben", "zwischen", "bis", "seit",
	"ich", "du", "er", "sie", "es", "wir", "ihr", "mich", "dich", "sich", "uns", "euch", "ihm", "ihn", "ihnen",
	"mein", "dein", "sein", "seine", "seiner", "seinen", "seinem", "ihre", "ihrer", "ihren", "ihrem", "unser", "unsere",
	"dieser", "diese", "dieses", "diesen", "diesem", "jener", "jene", "welche", "welcher", "welches",
	"ist", "sind", "war", "waren", "bin", "bist", "seid", "wird", "werden", "wurde", "wurden", "worden",
	"hat", "haben", "hatte", "hatten", "habe", "kann", "können", "soll", "sollen", "muss", "müssen",
	"nicht", "kein", "keine", "auch", "noch", "nur", "schon", "so", "sehr", "hier", "dort", "da",
}

// persianStopWords: prepositions, conjunctions, copulas and demonstratives.
var persianStopWords = []string{
	"و", "در", "به", "از", "که", "این", "آن", "را", "با", "برای", "است", "بود", "شد", "می", "هم", "یا", "تا",
	"اما", "اگر", "بر", "هر", "نیز", "باید", "شده", "خود", "ها", "های", "یک", "دیگر", "پس", "کرد", "کند", "شود",
}

// hindiStopWords: postpositions, conjunctions, copulas and pronouns.
var hindiStopWords = []string{
	"का", "की", "के", "है", "हैं", "था", "थी", "थे", "और", "में", "से", "को", "ने", "पर", "यह", "वह", "भी", "तो", "ही",
	"कि", "जो", "इस", "उस", "एक", "लिए", "गया", "गई", "गए", "रहा", "रही", "रहे", "हो", "हुआ", "हुई", "हुए",
	"कर", "किया", "या", "तक", "साथ", "बाद", "अपने", "अपनी", "इसके", "उनके", "वे", "ये", "नहीं",
}
