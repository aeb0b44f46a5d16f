package ses

import (
	"fmt"
	netmail "net/mail"
	"strings"

	"broadsheet/internal/mail"
)

// Mail is where a function's reader mail goes and whom it is from.
type Mail struct {
	Sender   mail.Sender
	From     netmail.Address
	SiteName string
}

// MailFromEnv reads MAIL_DIR (the local runtime's .eml sink) or, without
// it, Amazon SES from MAIL_FROM (an SES-verified sender) with
// SES_CONFIGURATION_SET; and SITE_NAME for the sender's name. nil when
// neither MAIL_DIR nor MAIL_FROM is set: the function sends no mail. The
// Comments and Editor functions read it alike.
func MailFromEnv(getenv func(string) string) (*Mail, error) {
	site := strings.TrimSpace(getenv("SITE_NAME"))
	if site == "" {
		site = "Broadsheet"
	}
	m := &Mail{SiteName: site}
	from := strings.TrimSpace(getenv("MAIL_FROM"))
	if dir := getenv("MAIL_DIR"); dir != "" {
		m.Sender = mail.Dir(dir)
		if from == "" {
			from = "comments@localhost"
		}
	} else {
		if from == "" {
			return nil, nil
		}
		sender, err := FromEnv(getenv)
		if err != nil {
			return nil, err
		}
		m.Sender = sender
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("MAIL_FROM %q: %v", from, err)
	}
	if addr.Name == "" {
		addr.Name = site
	}
	m.From = *addr
	return m, nil
}
