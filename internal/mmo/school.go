package mmo

import (
	"strings"
	"unicode"
)

// schoolStopWords say nothing about which school is meant: every one is
// a "школа", an "МБОУ".
var schoolStopWords = map[string]bool{"школа": true, "школы": true, "шк": true, "сош": true, "мбоу": true, "маоу": true,
	"моу": true, "мбоу сош": true, "номер": true, "the": true, "school": true}

// schoolTokens splits a school's name or a search into numbers and
// words, lower case, ё as е, punctuation dropped.
func schoolTokens(s string) (numbers, words []string) {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range f {
		// "сош11" and "11а" split into their number and letters.
		var num, letters strings.Builder
		for _, r := range w {
			if unicode.IsDigit(r) {
				num.WriteRune(r)
			} else {
				letters.WriteRune(r)
			}
		}
		if num.Len() > 0 {
			numbers = append(numbers, strings.TrimLeft(num.String(), "0"))
		}
		if l := letters.String(); l != "" {
			words = append(words, l)
		}
	}
	return numbers, words
}

// MatchSchools finds the schools of the city's list a typed search means:
// every number typed is a number of the school's name, and every word
// (three letters or more, not a word every school has) begins a word of
// it, allowing for Russian endings («лицея» finds «Лицей»). It returns
// their indexes in the list, in its order; none for a search of nothing
// but common words.
func MatchSchools(list []string, query string) []int {
	qn, qw := schoolTokens(query)
	var words []string
	for _, w := range qw {
		if len([]rune(w)) >= 3 && !schoolStopWords[w] {
			words = append(words, w)
		}
	}
	if len(qn) == 0 && len(words) == 0 {
		return nil
	}
	var out []int
	for i, s := range list {
		sn, sw := schoolTokens(s)
		if allFound(qn, sn, func(q, s string) bool { return q == s }) && allFound(words, sw, wordBegins) {
			out = append(out, i)
		}
	}
	return out
}

func allFound(qs, in []string, match func(q, s string) bool) bool {
	for _, q := range qs {
		found := false
		for _, s := range in {
			if match(q, s) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// wordBegins reports whether a typed word begins a word of a school's
// name, its last two letters free for an ending.
func wordBegins(q, s string) bool {
	r := []rune(q)
	if len(r) > 4 {
		r = r[:len(r)-2]
	}
	return strings.HasPrefix(s, string(r))
}

// SchoolListed returns the entry of the list a typed name is, ignoring
// case and spacing, and whether it is one.
func SchoolListed(list []string, typed string) (string, bool) {
	t := strings.ToLower(NormalizeText(typed))
	for _, s := range list {
		if strings.ToLower(NormalizeText(s)) == t {
			return s, true
		}
	}
	return "", false
}
