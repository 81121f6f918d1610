package main

// config is sesam's whole configuration, from SESAM_* variables then flags.
type config struct {
	DatabaseURL string
	DataDir     string
	Addr        string
	BaseURL     string
	IndexDir    string

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCGroupsClaim  string
	OIDCPostLogout   string
	OIDCTrustEmail   string // trust e-mails whose email_verified claim is absent
	LogLevel         string
	SMTPURL          string
	SearchRate       string // searches per client address per minute
	TrustedProxies   string // load balancers whose ProxyHeader names the client (comma-separated)
	ProxyHeader      string

	// PDF text extraction (see pdfOptions): strings until parsed, so that a bad value
	// is reported by the command that needs it.
	PDFCPUTime    string // processor time per tool run, a Go duration
	PDFTimeout    string // wall-clock time per tool run, a Go duration
	PDFMemory     string // address space per tool run, MiB
	PDFOCRPages   string // OCR'd pages per document
	PDFOCRTimeout string // wall-clock time for the OCR of one document, a Go duration
	PDFWorkers    string // tools run at once
}

// defaultDatabaseURL is the local server of a development machine.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/sesam?sslmode=disable"

// configFromEnv reads the SESAM_* variables, with embedded defaults.
func configFromEnv(getenv func(string) string) config {
	c := config{
		DatabaseURL: getenv("SESAM_DATABASE_URL"),
		DataDir:     getenv("SESAM_DATA_DIR"),
		Addr:        getenv("SESAM_ADDR"),
		BaseURL:     getenv("SESAM_BASE_URL"),
		IndexDir:    getenv("SESAM_INDEX_DIR"),

		OIDCIssuer:       getenv("SESAM_OIDC_ISSUER"),
		OIDCClientID:     getenv("SESAM_OIDC_CLIENT_ID"),
		OIDCClientSecret: getenv("SESAM_OIDC_CLIENT_SECRET"),
		OIDCGroupsClaim:  getenv("SESAM_OIDC_GROUPS_CLAIM"),
		OIDCPostLogout:   getenv("SESAM_OIDC_POST_LOGOUT_REDIRECT_URI"),
		OIDCTrustEmail:   getenv("SESAM_OIDC_TRUST_UNVERIFIED_EMAIL"),
		LogLevel:         getenv("SESAM_LOG_LEVEL"),
		SMTPURL:          getenv("SESAM_SMTP_URL"),
		SearchRate:       getenv("SESAM_SEARCH_RATE"),
		TrustedProxies:   getenv("SESAM_TRUSTED_PROXIES"),
		ProxyHeader:      getenv("SESAM_PROXY_HEADER"),

		PDFCPUTime:    getenv("SESAM_PDF_CPU_TIME"),
		PDFTimeout:    getenv("SESAM_PDF_TIMEOUT"),
		PDFMemory:     getenv("SESAM_PDF_MEMORY"),
		PDFOCRPages:   getenv("SESAM_PDF_OCR_PAGES"),
		PDFOCRTimeout: getenv("SESAM_PDF_OCR_TIMEOUT"),
		PDFWorkers:    getenv("SESAM_PDF_WORKERS"),
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = defaultDatabaseURL
	}
	if c.DataDir == "" {
		c.DataDir = "var"
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	return c
}
