package mmo

import "strings"

// Limits of an association's own consultation topics.
const (
	ParentTopicsMax = 8  // topics at most: each is a button
	ParentTopicMin  = 3  // runes, each topic
	ParentTopicMax  = 40 // runes, each topic: a button's label on a phone
)

// Fields of the errors of ParseTopics: one topic, or their number.
const (
	FieldParentTopic = "parent_topic"
	FieldTopicCount  = "parent_topics"
)

// ParseTopics reads the consultation topics a leader typed for the
// association's public link, one a line: each cleaned, blank lines and
// repeats dropped. A topic shorter than ParentTopicMin or longer than ParentTopicMax
// runes is CodeTooShort or CodeTooLong (field FieldParentTopic); more
// than ParentTopicsMax topics is CodeTooLong (field FieldTopicCount); a topic
// with "<" or ">" (it is shown in messages) or without letters is
// CodeInvalid.
func ParseTopics(text string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		t, err := validateFreeText(FieldParentTopic, line, ParentTopicMin, ParentTopicMax)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(t, "<>") {
			return nil, Errorf(CodeInvalid, FieldParentTopic)
		}
		if seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	if len(out) > ParentTopicsMax {
		return nil, &Error{Code: CodeTooLong, Field: FieldTopicCount, Limit: ParentTopicsMax}
	}
	if len(out) == 0 {
		return nil, &Error{Code: CodeTooShort, Field: FieldParentTopic, Limit: ParentTopicMin}
	}
	return out, nil
}
