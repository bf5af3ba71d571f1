package sandbox

import (
	"fmt"
	"strings"
)

// Kinds of personas, for the page's sidebar groups.
const (
	KindCoordinator = "coordinator" // the city's methodical centre; the bot's administrator
	KindLeader      = "leader"      // leads one association (in the demo)
	KindTeacher     = "teacher"
	KindParent      = "parent" // asks through an association's public link
)

// Keys of the demo's associations in Persona.Demo.
const (
	demoMath = "math"
	demoRus  = "rus"
)

// Persona is a simulated Telegram or MAX user the sandbox lets one act as. Each
// has a private chat with the bot; the ids are fixed, so a sandbox
// database outlives a restart with the same people in it.
type Persona struct {
	ID         int64
	Kind       string
	LastName   string
	FirstName  string
	Patronymic string
	// Lang is the language of the persona's Telegram client.
	Lang string
	// Phone is what sharing the contact sends.
	Phone    string
	School   string
	Position string
	// Demo lists the demo associations the persona belongs to when the
	// demo is seeded (the leaders lead theirs); Unregistered keeps the
	// persona out of the demo, to try registration and invitation links.
	Demo         []string
	Unregistered bool
	// Messenger is the messenger the persona uses: "" for Telegram,
	// MessengerMax for MAX.
	Messenger string
}

// MessengerMax marks a persona on MAX.
const MessengerMax = "max"

// FullName is the name as the bot's registration asks for it (ФИО).
func (p *Persona) FullName() string {
	return strings.Join([]string{p.LastName, p.FirstName, p.Patronymic}, " ")
}

// Coordinator is the id of the coordinator persona, the bot's
// administrator in the sandbox.
const Coordinator int64 = 1001

// Ids of other personas the tests and the demo refer to.
const (
	LeaderMath int64 = 2001 // leads «ММО учителей математики» in the demo
	LeaderRus  int64 = 2002 // leads «ММО учителей русского языка и литературы»
	Newcomer   int64 = 3011 // a teacher left unregistered by the demo
	Foreigner  int64 = 3012 // an unregistered teacher whose Telegram is in English
	Parent     int64 = 4001
	// OnMax is an unregistered teacher on MAX, beside the Telegram cast.
	OnMax int64 = 3013
)

// personas are the people of the sandbox: the coordinator, two leaders,
// a dozen teachers and a parent. Names, schools and positions are
// invented but typical of a Russian city.
var personas = []Persona{
	{ID: Coordinator, Kind: KindCoordinator, LastName: "Соколова", FirstName: "Ирина", Patronymic: "Владимировна", Lang: "ru",
		School: "МБУ «Городской методический центр»", Position: "методист, координатор ММО"},

	{ID: LeaderMath, Kind: KindLeader, LastName: "Кузнецова", FirstName: "Елена", Patronymic: "Александровна", Lang: "ru",
		School: "МБОУ «Лицей № 22»", Position: "учитель математики", Demo: []string{demoMath}},
	{ID: LeaderRus, Kind: KindLeader, LastName: "Белова", FirstName: "Наталья", Patronymic: "Сергеевна", Lang: "ru",
		School: "МБОУ «Гимназия № 23»", Position: "учитель русского языка и литературы", Demo: []string{demoRus}},

	{ID: 3001, Kind: KindTeacher, LastName: "Смирнов", FirstName: "Дмитрий", Patronymic: "Игоревич", Lang: "ru",
		School: "МБОУ «Гимназия № 3»", Position: "учитель математики", Demo: []string{demoMath}},
	{ID: 3002, Kind: KindTeacher, LastName: "Волкова", FirstName: "Ольга", Patronymic: "Петровна", Lang: "ru",
		School: "МБОУ «СОШ № 15»", Position: "учитель математики", Demo: []string{demoMath}},
	{ID: 3003, Kind: KindTeacher, LastName: "Лебедева", FirstName: "Марина", Patronymic: "Викторовна", Lang: "ru",
		School: "МБОУ «СОШ № 7»", Position: "учитель математики и информатики", Demo: []string{demoMath}},
	{ID: 3004, Kind: KindTeacher, LastName: "Новиков", FirstName: "Сергей", Patronymic: "Алексеевич", Lang: "ru",
		School: "МБОУ «Лицей № 67»", Position: "учитель математики", Demo: []string{demoMath}},
	{ID: 3005, Kind: KindTeacher, LastName: "Павлова", FirstName: "Татьяна", Patronymic: "Юрьевна", Lang: "ru",
		School: "МБОУ «СОШ № 26»", Position: "учитель русского языка и литературы", Demo: []string{demoRus}},
	{ID: 3006, Kind: KindTeacher, LastName: "Козлова", FirstName: "Анна", Patronymic: "Михайловна", Lang: "ru",
		School: "МБОУ «Гимназия № 30»", Position: "учитель русского языка и литературы", Demo: []string{demoRus}},
	{ID: 3007, Kind: KindTeacher, LastName: "Фёдорова", FirstName: "Светлана", Patronymic: "Олеговна", Lang: "ru",
		School: "МБОУ «СОШ № 41»", Position: "учитель начальных классов", Demo: []string{demoMath, demoRus}},
	{ID: 3008, Kind: KindTeacher, LastName: "Михайлов", FirstName: "Алексей", Patronymic: "Викторович", Lang: "ru",
		School: "МБОУ «СОШ № 2»", Position: "заместитель директора по УВР", Demo: []string{demoMath, demoRus}},
	{ID: 3009, Kind: KindTeacher, LastName: "Егорова", FirstName: "Юлия", Patronymic: "Андреевна", Lang: "ru",
		School: "МБОУ «СОШ № 9»", Position: "учитель начальных классов", Demo: []string{demoMath, demoRus}},
	{ID: 3010, Kind: KindTeacher, LastName: "Орлова", FirstName: "Наталья", Patronymic: "Геннадьевна", Lang: "ru",
		School: "МБОУ «Лицей № 33»", Position: "учитель начальных классов", Demo: []string{demoRus, demoMath}},
	{ID: Newcomer, Kind: KindTeacher, LastName: "Никитина", FirstName: "Дарья", Patronymic: "Сергеевна", Lang: "ru",
		School: "МБОУ «СОШ № 11»", Position: "учитель математики", Unregistered: true},
	{ID: Foreigner, Kind: KindTeacher, LastName: "Захаров", FirstName: "Илья", Patronymic: "Романович", Lang: "en",
		School: "МБОУ «СОШ № 5»", Position: "учитель английского языка", Unregistered: true},

	{ID: OnMax, Kind: KindTeacher, LastName: "Сергеева", FirstName: "Алина", Patronymic: "Павловна", Lang: "ru",
		School: "МБОУ «СОШ № 19»", Position: "учитель математики", Unregistered: true, Messenger: MessengerMax},

	{ID: Parent, Kind: KindParent, LastName: "Григорьева", FirstName: "Екатерина", Patronymic: "Андреевна", Lang: "ru",
		Unregistered: true},
}

func init() {
	for i := range personas {
		p := &personas[i]
		// A fake but well-formed Russian mobile number, different for each.
		p.Phone = fmt.Sprintf("+7900%07d", p.ID)
	}
}

// messenger is the name of the persona's messenger in accounts.
func (p *Persona) messenger() string {
	if p.Messenger == MessengerMax {
		return MessengerMax
	}
	return "telegram"
}
