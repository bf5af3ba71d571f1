package chat

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// HandlerFunc handles one update.
type HandlerFunc func(*Request) error

// DialogFunc continues a form with the message the user sent; d is the
// user's open dialog, which the router has already read.
type DialogFunc func(r *Request, d *mmo.Dialog) error

// Middleware wraps a handler with behaviour common to all routes.
type Middleware func(HandlerFunc) HandlerFunc

// route is a command, a button verb or a dialog flow, with the lowest role
// allowed to use it.
type route struct {
	role mmo.Role
	fn   HandlerFunc
	// menu is the locale key of the command's description in the command
	// menu; empty for commands kept out of the menu.
	menu string
}

// routes holds every way into the bot, in one place.
type routes struct {
	commands  map[string]route
	order     []string // command menu order
	callbacks map[string]route
	dialogs   map[string]DialogFunc
	// links open deep links by the payload's kind, the part before "_".
	links   map[string]func(r *Request, rest string) error
	handler HandlerFunc // serve wrapped in the middleware
}

// Callback verbs. They are part of the callback data, so keep them short.
const (
	verbConsent   = "rc" // registration consent: nonce, agree|decline
	verbLang      = "lg" // settings: language code
	verbEditField = "ef" // settings: profile field to edit
	verbCoordAdd  = "ca" // coordinators: start the search for a new one
	verbCoordSet  = "cs" // coordinators: grant to user id
	verbCoordDel  = "cd" // coordinators: revoke from user id
)

func (b *Engine) buildRoutes() routes {
	rt := routes{
		commands: map[string]route{
			"start":          {mmo.RoleGuest, b.cmdStart, "menu.start"},
			"associations":   {mmo.RoleMember, b.cmdAssociations, "menu.associations"},
			"my":             {mmo.RoleMember, b.cmdMy, "menu.my"},
			"members":        {mmo.RoleLeader, b.cmdMembers, "menu.members"},
			"invite":         {mmo.RoleLeader, b.cmdInvite, "menu.invite"},
			"newassociation": {mmo.RoleCoordinator, b.cmdNewAssociation, "menu.newassociation"},
			"meetings":       {mmo.RoleMember, b.cmdMeetings, "menu.meetings"},
			"history":        {mmo.RoleMember, b.cmdHistory, "menu.history"},
			"ask":            {mmo.RoleMember, b.cmdAsk, "menu.ask"},
			"requests":       {mmo.RoleGuest, b.cmdRequests, "menu.requests"},
			"propose":        {mmo.RoleMember, b.cmdPropose, "menu.propose"},
			"plan":           {mmo.RoleLeader, b.cmdPlan, "menu.plan"},
			"report":         {mmo.RoleLeader, b.cmdReport, "menu.report"},
			"overview":       {mmo.RoleCoordinator, b.cmdOverview, "menu.overview"},
			"newevent":       {mmo.RoleLeader, b.cmdNewEvent, "menu.newevent"},
			"coordinators":   {mmo.RoleAdmin, b.cmdCoordinators, "menu.coordinators"},
			"settings":       {mmo.RoleGuest, b.cmdSettings, "menu.settings"},
			"help":           {mmo.RoleGuest, b.cmdHelp, "menu.help"},
			"cancel":         {mmo.RoleGuest, b.cmdCancel, "menu.cancel"},
			// max: linking accounts of two messengers (link.go)
			"link": {mmo.RoleGuest, b.cmdLink, "max_link.menu"},

			// Surveys (survey*.go).
			"survey": {mmo.RoleLeader, b.cmdSurvey, "survey_menu.survey"},
			// News (news.go).
			"announce": {mmo.RoleLeader, b.cmdAnnounce, "news_menu.announce"},
			"news":     {mmo.RoleMember, b.cmdNews, "news_menu.news"},
			// Materials bank (bank.go).
			"share": {mmo.RoleMember, b.cmdShare, "bank_menu.share"},
			"bank":  {mmo.RoleMember, b.cmdBank, "bank_menu.bank"},
			// Registers (registers.go).
			"registers": {mmo.RoleMember, b.cmdRegisters, "reg_menu.registers"},
		},
		order: []string{"start", "meetings", "associations", "my", "ask", "requests", "history", "propose",
			"news", "bank", "share", "registers", // news, materials bank, registers
			"newevent", "members", "invite", "plan", "report",
			"survey", "announce", // surveys, news
			"overview", "newassociation", "coordinators", "settings", "help", "cancel"},
		callbacks: map[string]route{
			verbConsent:    {role: mmo.RoleGuest, fn: b.onConsent},
			verbLang:       {role: mmo.RoleMember, fn: b.onLang},
			verbEditField:  {role: mmo.RoleMember, fn: b.onEditField},
			verbDeleteData: {role: mmo.RoleGuest, fn: b.onDeleteData},
			verbCoordAdd:   {role: mmo.RoleAdmin, fn: b.onCoordAdd},
			verbCoordSet:   {role: mmo.RoleAdmin, fn: b.onCoordSet},
			verbCoordDel:   {role: mmo.RoleAdmin, fn: b.onCoordDel},

			verbAssocList:    {role: mmo.RoleMember, fn: b.onAssocList},
			verbAssocCard:    {role: mmo.RoleMember, fn: b.onAssocCard},
			verbAssocJoin:    {role: mmo.RoleMember, fn: b.onAssocJoin},
			verbAssocLeave:   {role: mmo.RoleMember, fn: b.onAssocLeave},
			verbAssocApprove: {role: mmo.RoleLeader, fn: b.onAssocApprove},
			verbAssocDecline: {role: mmo.RoleLeader, fn: b.onAssocDecline},
			verbAssocPending: {role: mmo.RoleLeader, fn: b.onAssocPending},
			verbChoose:       {role: mmo.RoleLeader, fn: b.onChoose},
			verbSwitch:       {role: mmo.RoleLeader, fn: b.onSwitch},
			verbMembers:      {role: mmo.RoleLeader, fn: b.onMembers},
			verbRemove:       {role: mmo.RoleLeader, fn: b.onRemove},
			verbExport:       {role: mmo.RoleLeader, fn: b.onExport},
			verbInvite:       {role: mmo.RoleLeader, fn: b.onInvite},

			verbAssocNew:      {role: mmo.RoleCoordinator, fn: b.onAssocNew},
			verbAssocPolicy:   {role: mmo.RoleCoordinator, fn: b.onAssocPolicy},
			verbAssocEdit:     {role: mmo.RoleCoordinator, fn: b.onAssocEdit},
			verbAssocArchive:  {role: mmo.RoleCoordinator, fn: b.onAssocArchive},
			verbAssocArchived: {role: mmo.RoleCoordinator, fn: b.onAssocArchived},
			verbAssocLog:      {role: mmo.RoleCoordinator, fn: b.onAssocLog},
			verbLeaderMenu:    {role: mmo.RoleCoordinator, fn: b.onLeaderMenu},
			verbLeaderFind:    {role: mmo.RoleCoordinator, fn: b.onLeaderFind},
			verbLeaderSet:     {role: mmo.RoleCoordinator, fn: b.onLeaderSet},
			verbLeaderLink:    {role: mmo.RoleCoordinator, fn: b.onLeaderLink},

			verbMeetings:     {role: mmo.RoleMember, fn: b.onMeetings},
			verbEvent:        {role: mmo.RoleMember, fn: b.onEvent},
			verbRSVP:         {role: mmo.RoleMember, fn: b.onRSVP},
			verbEventICS:     {role: mmo.RoleMember, fn: b.onICS},
			verbEventFormat:  {role: mmo.RoleLeader, fn: b.onEventFormat},
			verbEventWhen:    {role: mmo.RoleLeader, fn: b.onEventWhen},
			verbEventLength:  {role: mmo.RoleLeader, fn: b.onEventLength},
			verbEventPublish: {role: mmo.RoleLeader, fn: b.onPublish},
			verbEventEdit:    {role: mmo.RoleLeader, fn: b.onEventEdit},
			verbEventCancel:  {role: mmo.RoleLeader, fn: b.onEventCancel},
			verbEventDelete:  {role: mmo.RoleLeader, fn: b.onEventDelete},
			verbEventNudge:   {role: mmo.RoleLeader, fn: b.onNudge},

			verbCheckinHere:   {role: mmo.RoleMember, fn: b.onCheckinHere},
			verbCheckin:       {role: mmo.RoleLeader, fn: b.onCheckin},
			verbCheckinOpen:   {role: mmo.RoleLeader, fn: b.onCheckinOpen},
			verbCheckinRotate: {role: mmo.RoleLeader, fn: b.onCheckinRotate},
			verbCheckinQR:     {role: mmo.RoleLeader, fn: b.onCheckinQR},
			verbCheckinList:   {role: mmo.RoleLeader, fn: b.onCheckinList},
			verbCheckinMember: {role: mmo.RoleLeader, fn: b.onCheckinMember},
			verbCheckinMark:   {role: mmo.RoleLeader, fn: b.onCheckinMark},
			verbCheckinNote:   {role: mmo.RoleLeader, fn: b.onCheckinNote},
			verbCheckinGeo:    {role: mmo.RoleLeader, fn: b.onCheckinGeo},
			verbCheckinSheet:  {role: mmo.RoleLeader, fn: b.onCheckinSheet},
			verbCheckinWindow: {role: mmo.RoleLeader, fn: b.onCheckinWindow},
			verbYearSheet:     {role: mmo.RoleLeader, fn: b.onYearSheet},

			verbMinutes:        {role: mmo.RoleLeader, fn: b.onMinutes},
			verbMinutesCompose: {role: mmo.RoleLeader, fn: b.onMinutesCompose},
			verbMinutesFinal:   {role: mmo.RoleLeader, fn: b.onMinutesFinal},
			verbMinutesDOCX:    {role: mmo.RoleLeader, fn: b.onMinutesDOCX},
			verbMinutesVote:    {role: mmo.RoleLeader, fn: b.onMinutesVote},
			verbMinutesPick:    {role: mmo.RoleLeader, fn: b.onMinutesPick},  // documents: the minutes form's buttons
			verbCheckinCycle:   {role: mmo.RoleLeader, fn: b.onCheckinCycle}, // documents: one-screen attendance marks
			verbMinutesItem:    {role: mmo.RoleLeader, fn: b.onMinutesItem},  // documents: edit one item of the minutes
			verbPlanItemEdit:   {role: mmo.RoleLeader, fn: b.onPlanItemEdit}, // documents: edit one item of the plan
			verbDocCancel:      {role: mmo.RoleGuest, fn: b.onDocCancel},     // documents: «✖ Отмена» in their forms
			verbHistory:        {role: mmo.RoleMember, fn: b.onHistory},

			verbAskIn:        {role: mmo.RoleMember, fn: b.onAskIn},
			verbAskCategory:  {role: mmo.RoleGuest, fn: b.onAskCategory},
			verbAskDone:      {role: mmo.RoleGuest, fn: b.onAskDone},
			verbAskForm:      {role: mmo.RoleGuest, fn: b.onAskForm},
			verbAskNoPhone:   {role: mmo.RoleGuest, fn: b.onAskNoPhone},
			verbAskConsent:   {role: mmo.RoleGuest, fn: b.onAskConsent},
			verbConsult:      {role: mmo.RoleGuest, fn: b.onConsult},
			verbConsultTake:  {role: mmo.RoleMember, fn: b.onConsultTake},
			verbConsultReply: {role: mmo.RoleGuest, fn: b.onConsultReply},
			verbConsultClose: {role: mmo.RoleGuest, fn: b.onConsultClose},
			verbConsultRate:  {role: mmo.RoleGuest, fn: b.onConsultRate},
			verbConsultGive:  {role: mmo.RoleLeader, fn: b.onConsultGive},
			verbConsultFiles: {role: mmo.RoleGuest, fn: b.onConsultFiles},
			verbConsultants:  {role: mmo.RoleLeader, fn: b.onConsultants},
			verbConsultLink:  {role: mmo.RoleLeader, fn: b.onConsultLink},
			verbConsultXLSX:  {role: mmo.RoleLeader, fn: b.onConsultXLSX},
			verbRequests:     {role: mmo.RoleGuest, fn: b.onRequests},
			verbParentAsk:    {role: mmo.RoleGuest, fn: b.onParentAsk},

			verbPlan:          {role: mmo.RoleLeader, fn: b.onPlan},
			verbPlanEdit:      {role: mmo.RoleLeader, fn: b.onPlanEdit},
			verbPlanMonth:     {role: mmo.RoleLeader, fn: b.onPlanMonth},
			verbPlanFormat:    {role: mmo.RoleLeader, fn: b.onPlanFormat},
			verbPlanSubmit:    {role: mmo.RoleLeader, fn: b.onPlanSubmit},
			verbPlanDOCX:      {role: mmo.RoleLeader, fn: b.onPlanDOCX},
			verbPlanDecide:    {role: mmo.RoleCoordinator, fn: b.onPlanDecide},
			verbProposals:     {role: mmo.RoleLeader, fn: b.onProposals},
			verbProposalTake:  {role: mmo.RoleLeader, fn: b.onProposalTake},
			verbProposeIn:     {role: mmo.RoleMember, fn: b.onProposeIn},
			verbEventPlan:     {role: mmo.RoleLeader, fn: b.onEventPlan},
			verbReport:        {role: mmo.RoleLeader, fn: b.onReport},
			verbReportSection: {role: mmo.RoleLeader, fn: b.onReportSection},
			verbReportSubmit:  {role: mmo.RoleLeader, fn: b.onReportSubmit},
			verbReportDOCX:    {role: mmo.RoleLeader, fn: b.onReportDOCX},
			verbReportDecide:  {role: mmo.RoleCoordinator, fn: b.onReportDecide},
			verbReportMatch:   {role: mmo.RoleLeader, fn: b.onReportMatch}, // documents: the plan's fulfilment
			verbOverviewXLSX:  {role: mmo.RoleCoordinator, fn: b.onOverviewXLSX},
			verbArchive:       {role: mmo.RoleCoordinator, fn: b.onArchive},

			// Surveys (survey*.go).
			verbSurveyNew:     {role: mmo.RoleLeader, fn: b.onSurveyNew},
			verbSurveyBuild:   {role: mmo.RoleLeader, fn: b.onSurveyBuild},
			verbSurveyAnswer:  {role: mmo.RoleMember, fn: b.onSurveyAnswer},
			verbSurveyResults: {role: mmo.RoleLeader, fn: b.onSurveyResults},
			// News (news.go).
			verbNewsBuild: {role: mmo.RoleLeader, fn: b.onNewsBuild},
			verbNewsList:  {role: mmo.RoleMember, fn: b.onNewsList},
			verbNewsFiles: {role: mmo.RoleMember, fn: b.onNewsFiles},
			// Materials bank (bank.go).
			verbBankIn:      {role: mmo.RoleMember, fn: b.onBankIn},
			verbBankBuild:   {role: mmo.RoleMember, fn: b.onBankBuild},
			verbBankDecide:  {role: mmo.RoleLeader, fn: b.onBankDecide},
			verbBankKind:    {role: mmo.RoleMember, fn: b.onBankKind},
			verbBankGet:     {role: mmo.RoleMember, fn: b.onBankGet},
			verbBankPending: {role: mmo.RoleLeader, fn: b.onBankPending},
			// Registers (registers.go).
			verbRegIn:     {role: mmo.RoleMember, fn: b.onRegIn},
			verbRegPick:   {role: mmo.RoleCoordinator, fn: b.onRegPick},
			verbRegNew:    {role: mmo.RoleMember, fn: b.onRegNew},
			verbRegLevel:  {role: mmo.RoleMember, fn: b.onRegLevel},
			verbRegList:   {role: mmo.RoleMember, fn: b.onRegList},
			verbRegDelete: {role: mmo.RoleMember, fn: b.onRegDelete},
			// Duties, wave 3: the report with the theses as a ZIP (report_zip.go).
			verbReportZIP: {role: mmo.RoleLeader, fn: b.onReportZIP},
			verbRegAll:    {role: mmo.RoleLeader, fn: b.onRegAll},   // registers_any.go
			verbLinkMerge: {role: mmo.RoleGuest, fn: b.onLinkMerge}, // link_merge.go
			// The conversation's home screen and meeting views (issue 12).
			verbHome:         {role: mmo.RoleGuest, fn: b.onHome}, // a parent has a home too
			verbEventLoud:    {role: mmo.RoleLeader, fn: b.onEventLoud},
			verbRegName:      {role: mmo.RoleGuest, fn: b.onRegName},
			verbRegSchool:    {role: mmo.RoleGuest, fn: b.onRegSchool},
			verbAskCancel:    {role: mmo.RoleGuest, fn: b.onAskCancel},
			verbDigestRemind: {role: mmo.RoleCoordinator, fn: b.onDigestRemind},
			// The conversation, third wave (issue 12): «Пропустить» as a button.
			verbFormSkip:     {role: mmo.RoleGuest, fn: b.onFormSkip},
			verbParentTopics: {role: mmo.RoleLeader, fn: b.onParentTopics},
			// The coordinator's digest, second round (issue 12): remind of a request.
			verbDigestRemindRequest: {role: mmo.RoleCoordinator, fn: b.onDigestRemindRequest},
		},
		dialogs: map[string]DialogFunc{
			mmo.FlowRegister: b.dialogRegister,
			mmo.FlowEdit:     b.dialogEdit,
			mmo.FlowGrant:    b.dialogGrant,

			mmo.FlowCreateAssoc:   b.dialogCreate,
			mmo.FlowEditAssoc:     b.dialogEditAssoc,
			mmo.FlowRemoveMember:  b.dialogRemove,
			mmo.FlowAppointLeader: b.dialogLeader,
			mmo.FlowCreateEvent:   b.dialogEvent,
			mmo.FlowEditEvent:     b.dialogEvent,

			mmo.FlowCheckinLocation: b.dialogCheckinLocation,
			mmo.FlowVenue:           b.dialogVenue,
			mmo.FlowAttendanceNote:  b.dialogAttendanceNote,
			mmo.FlowMinutes:         b.dialogMinutes,
			mmo.FlowAsk:             b.dialogAsk,
			mmo.FlowAskConsent:      b.dialogAskConsent,
			mmo.FlowConsultReply:    b.dialogConsultReply,
			mmo.FlowPlanText:        b.dialogPlanText,
			mmo.FlowPlanItem:        b.dialogPlanItem,
			flowPlanItemField:       b.dialogPlanItemField, // documents: one field of a plan item
			mmo.FlowPropose:         b.dialogPropose,
			mmo.FlowReturnDoc:       b.dialogReturnDoc,
			mmo.FlowReportSection:   b.dialogReportSection,

			// Surveys (survey*.go).
			mmo.FlowSurveyNew:  b.dialogSurveyNew,
			mmo.FlowSurveyText: b.dialogSurveyText,
			// News (news.go).
			mmo.FlowNews: b.dialogNews,
			// Materials bank (bank.go).
			mmo.FlowBankShare:  b.dialogBankShare,
			mmo.FlowBankSearch: b.dialogBankSearch,
			// Registers (registers.go).
			mmo.FlowRegisterEntry: b.dialogRegisterEntry,
			// The conversation, third wave (issue 12).
			flowParentTopics: b.dialogParentTopics,
		},
		links: map[string]func(*Request, string) error{
			string(mmo.InviteMember): b.openMemberInvite,
			string(mmo.InviteLeader): b.openLeaderInvite,
			"c":                      b.openCheckinLink,
			"q":                      b.openConsultLink,
			"a":                      b.openLinkCode, // max: linking accounts (link.go)
		},
	}
	rt.handler = chain(b.serve, b.recoverer, b.logger, b.autoAnswer)
	return rt
}

// chain applies middleware, the first one outermost.
func chain(h HandlerFunc, mw ...Middleware) HandlerFunc {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// recoverer turns a panic into an error, so the transaction rolls back and
// the user gets an apology instead of silence.
func (b *Engine) recoverer(next HandlerFunc) HandlerFunc {
	return func(r *Request) (err error) {
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("handler panic", "update_id", r.Update.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return next(r)
	}
}

// logger logs every update with ids only: no names, no texts. A
// handler's error leaves it naming the route that failed.
func (b *Engine) logger(next HandlerFunc) HandlerFunc {
	return func(r *Request) error {
		start := time.Now()
		err := next(r)
		if err != nil && r.readOnly {
			return err // handled again the usual way, which logs it
		}
		level := slog.LevelDebug
		if err != nil {
			level = slog.LevelError
			err = fmt.Errorf("%s: %w", r.route, err)
		}
		b.log.Log(context.Background(), level, "update", "update_id", r.Update.ID, "chat_id", r.Update.Chat,
			"user_id", r.User.ID, "route", r.route, "duration", time.Since(start).String(), "error", err)
		return err
	}
}

// autoAnswer answers every callback query the handler left unanswered.
func (b *Engine) autoAnswer(next HandlerFunc) HandlerFunc {
	return func(r *Request) error {
		err := next(r)
		if err == nil && r.Update.Press != nil && r.answer == nil {
			r.Answer("", false)
		}
		return err
	}
}

// serve routes an update.
func (b *Engine) serve(r *Request) error {
	u := r.Update
	switch {
	case u.Member != "":
		return b.onMember(r)
	case u.Press != nil:
		return b.onPress(r)
	case u.From != nil:
		return b.onMessage(r)
	}
	return nil
}

// touch keeps the stored user in step with their messenger: their client
// language, the account they write through, and a user who writes has
// evidently not blocked the bot.
func (r *Request) touch() error {
	if !r.Known || !r.changed && !r.User.Blocked {
		return nil
	}
	r.User.Blocked = false
	return r.SaveUser()
}

func (b *Engine) onMessage(r *Request) error {
	if !r.Update.Private {
		if r.Command == "" {
			return nil // the bot works in private chats; groups are not its place
		}
		r.route = "group:command" // a group's command may be anything typed
		url := r.bot.transport(r.Update.Messenger).DeepLink("")
		r.Reply(r.T("group.private_only"), []Button{{Label: r.T("group.open_private"), URL: url}})
		return nil
	}
	if err := r.touch(); err != nil {
		return err
	}
	if r.Command != "" {
		return b.onCommand(r)
	}
	d, expired, err := r.Dialog()
	if err != nil {
		return err
	}
	switch {
	case d != nil:
		r.route = "dialog:" + d.Flow
		h, ok := b.routes.dialogs[d.Flow]
		if !ok { // a flow of an older version: nothing can continue it
			r.Reply(r.T("dialog.expired"))
			return r.EndDialog()
		}
		return h(r, d)
	case expired:
		r.route = "dialog:expired"
		r.Reply(r.T("dialog.expired"))
	case r.User.Parent():
		r.route = "text:parent"
		return b.showParentHome(r, r.T("conv_home.unknown_text"))
	case r.Role == mmo.RoleGuest:
		r.route = "text:guest"
		r.Reply(r.T("start.need_register"))
	default:
		if code, ok := mmo.ParseCheckinCode(r.Text); ok {
			return b.checkInByCode(r, code)
		}
		r.route = "text:unknown"
		return b.showHome(r, r.T("conv_home.unknown_text"))
	}
	return nil
}

func (b *Engine) onCommand(r *Request) error {
	r.route = "/" + r.Command
	rt, ok := b.routes.commands[r.Command]
	if !ok {
		r.route = "/unknown" // what was typed is the user's, not a route
		r.Reply(r.T("error.unknown_command"))
		return nil
	}
	if r.Role < rt.role {
		if r.User.Parent() {
			return b.refuseParent(r)
		}
		r.Reply(r.T(refusal(r.Role)))
		return nil
	}
	// A new command abandons a half-filled form, except for /help, which
	// is harmless to look at in the middle of one, /cancel, which ends it
	// itself, and a newcomer's /start, which resumes their registration.
	keep := r.Command == "help" || r.Command == "cancel" || r.Command == "start" && r.Role == mmo.RoleGuest
	if !keep {
		if err := r.EndDialog(); err != nil {
			return err
		}
	}
	return rt.fn(r)
}

// refusal is the message for a user whose role is too low.
func refusal(role mmo.Role) string {
	if role == mmo.RoleGuest {
		return "error.register_first"
	}
	return "error.forbidden"
}

// onPress routes a pressed button. The transport has checked that the
// bot issued it for this chat; one it refused comes with no verb.
func (b *Engine) onPress(r *Request) error {
	p := r.Update.Press
	if p.Verb == "" {
		r.route = "button:invalid"
		return r.stale()
	}
	r.route = "button:" + p.Verb
	rt, ok := b.routes.callbacks[p.Verb]
	if !ok {
		return r.stale()
	}
	if r.Role < rt.role {
		if r.User.Parent() {
			return b.refuseParent(r)
		}
		r.Answer(r.T(refusal(r.Role)), true)
		return nil
	}
	if err := r.touch(); err != nil {
		return err
	}
	return rt.fn(r)
}

// onMember records a user blocking or unblocking the bot.
func (b *Engine) onMember(r *Request) error {
	r.route = "member:" + r.Update.Member
	if !r.Update.Private || !r.Known {
		return nil
	}
	return r.Tx.SetBlocked(r.User.ID, r.Update.Member == MemberBlocked)
}

// stale answers a button that no longer applies.
func (r *Request) stale() error {
	r.Answer(r.T("error.stale_button"), true)
	return nil
}
