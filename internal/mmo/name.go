package mmo

import (
	"strings"
	"unicode"
)

// NameProblem is a usual mistake in a full name as typed at registration,
// which would make it print wrong in lists and documents.
type NameProblem string

// Problems CheckFullName finds.
const (
	NameLatin        NameProblem = "latin"         // typed in Latin letters
	NameOrder        NameProblem = "order"         // first name first: «Дарья Никитина»
	NameNoPatronymic NameProblem = "no_patronymic" // two words: no отчество
)

// NameCheck is what CheckFullName found: the problems, and the name as it
// would be with its order fixed ("" when the order needs no fix).
type NameCheck struct {
	Problems []NameProblem
	Fix      string
}

// Has reports whether the check found p.
func (c NameCheck) Has(p NameProblem) bool {
	for _, q := range c.Problems {
		if q == p {
			return true
		}
	}
	return false
}

// commonFirstNames are Russian first names frequent among teachers, in
// lower case: enough to recognise «Дарья Никитина» as first name first.
var commonFirstNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`александра алина алла анастасия ангелина анна антонина валентина валерия вера
		вероника виктория галина дарья диана евгения екатерина елена елизавета жанна зинаида зоя инна ирина
		кристина ксения лариса лидия любовь людмила маргарита марина мария надежда наталья наталия нина оксана
		ольга полина раиса светлана софья тамара татьяна ульяна юлия яна эльвира альбина гульнара
		александр алексей анатолий андрей антон артём артем борис вадим валентин валерий василий виктор
		виталий владимир владислав вячеслав геннадий георгий григорий денис дмитрий евгений егор иван игорь
		илья кирилл константин леонид максим михаил никита николай олег павел пётр петр роман руслан сергей
		станислав степан тимур фёдор федор юрий ярослав`) {
		commonFirstNames[n] = true
	}
}

// surnameEndings are endings of Russian surnames, longest first.
var surnameEndings = []string{"ская", "цкая", "ский", "цкий", "ова", "ева", "ёва", "ина", "ына", "ов", "ев", "ёв", "ин", "ын", "ая", "ой", "ий", "ых", "их", "енко", "ук", "юк"}

// patronymicEndings are endings of Russian patronymics.
var patronymicEndings = []string{"овна", "евна", "ична", "инична", "ович", "евич", "ич"}

func hasEnding(w string, endings []string) bool {
	w = strings.ToLower(w)
	for _, e := range endings {
		if strings.HasSuffix(w, e) && len([]rune(w)) > len([]rune(e))+1 {
			return true
		}
	}
	return false
}

// CheckFullName looks for the usual mistakes in a full name that passed
// ValidateName: Latin letters, the first name first when the surname is
// recognisable (then Fix is the name with the surname moved first), and a
// missing patronymic. Initials («Белова Н. С.») are left alone.
func CheckFullName(name string) NameCheck {
	var c NameCheck
	words := strings.Fields(name)
	for _, r := range name {
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			c.Problems = append(c.Problems, NameLatin)
			return c // the rest are rules of Russian names
		}
	}
	if strings.Contains(name, ".") {
		return c // initials: a person who typed them means them
	}
	if len(words) >= 2 && commonFirstNames[strings.ToLower(words[0])] && !commonFirstNames[strings.ToLower(words[len(words)-1])] &&
		hasEnding(words[len(words)-1], surnameEndings) {
		fixed := append([]string{words[len(words)-1]}, words[:len(words)-1]...)
		c.Fix = strings.Join(fixed, " ")
		c.Problems = append(c.Problems, NameOrder)
		words = fixed
	}
	if len(words) == 2 && !hasEnding(words[1], patronymicEndings) {
		c.Problems = append(c.Problems, NameNoPatronymic)
	}
	return c
}
