package analysis

// stopWords are English function words that carry no topical meaning.
// The list is deliberately smaller than the Snowball/NLTK list: words such as
// "against", "after", "over", "under", "between", "up", "down", "off", "few",
// "more", "most" and "only" are kept because in news they often carry the point
// ("vote against", "after the war"), and BM25's idf already discounts them.
// Contractions are listed in their folded, apostrophe form (checked before
// apostrophes are removed), so "don't" and "it'll" disappear while "O'Brien"
// becomes "obrien".
var stopWords = map[string]struct{}{}

func init() {
	for _, w := range []string{
		// articles, conjunctions, common prepositions
		"a", "an", "the", "and", "or", "but", "nor", "if", "then", "than", "so",
		"as", "at", "by", "for", "from", "in", "into", "of", "on", "onto", "to",
		"with", "about", "because", "while", "such",
		// pronouns and determiners
		"i", "me", "my", "myself", "we", "us", "our", "ours", "ourselves",
		"you", "your", "yours", "yourself", "yourselves", "he", "him", "his",
		"himself", "she", "her", "hers", "herself", "it", "its", "itself",
		"they", "them", "their", "theirs", "themselves", "this", "that",
		"these", "those", "some", "any", "each", "both", "other",
		// wh-words
		"what", "which", "who", "whom", "whose", "when", "where", "why", "how",
		// auxiliaries and copulas
		"am", "is", "are", "was", "were", "be", "been", "being", "have", "has",
		"had", "having", "do", "does", "did", "doing", "can", "could", "will",
		"would", "shall", "should", "may", "might", "must",
		// negation particles (the OR query would otherwise match half the corpus)
		"no", "not",
		// misc. function words
		"there", "here", "also", "very", "too", "own", "same", "just",
		// contractions (folded, apostrophe kept) and their split-off leftovers
		"don't", "doesn't", "didn't", "can't", "cannot", "won't", "wouldn't",
		"shouldn't", "couldn't", "isn't", "aren't", "wasn't", "weren't",
		"hasn't", "haven't", "hadn't", "mustn't", "i'm", "i've", "i'd", "i'll",
		"you're", "you've", "you'd", "you'll", "he'd", "he'll", "she'd",
		"she'll", "it'll", "it'd", "we're", "we've", "we'd", "we'll", "they're",
		"they've", "they'd", "they'll", "that'll", "there'll", "let's",
		"s", "t", "d", "ll", "m", "re", "ve",
	} {
		stopWords[w] = struct{}{}
	}
}

// IsStopWord reports whether the normalised (folded, lowercased, unstemmed)
// word is on the stop list.
func IsStopWord(word string) bool {
	_, ok := stopWords[word]
	return ok
}
