package server

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// newApp builds the Fiber application with every route of the site.
func (s *Server) newApp() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:      "Ligue",
		ErrorHandler: s.handleError,
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
		BodyLimit:    s.bodyLimit(),
		// Bodies past BodyLimit reach refuseOversizedBodies as a stream
		// instead of a cut connection; forms are parsed when read.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		DisableStartupMessage:        true,
		UnescapePath:                 true,     // "/membres/Ma%C3%ABlle" is Maëlle's page
		ReadBufferSize:               16 << 10, // request line and headers: many cookies fit, 431 past that
		// c.Protocol() and c.Secure() believe X-Forwarded-Proto from the
		// trusted proxies only (Fiber's default is from anyone).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.proxies.fiberRanges(),
	})
	s.refuseUnknownMethods(app)
	app.Use(s.countRequests)
	app.Use(s.requestContext)
	app.Use(recover.New(recover.Config{EnableStackTrace: true}))
	app.Get("/static/*", s.handleStatic) // compressed once, at start
	app.Use(s.cachePages)                // before compression: it keeps pages compressed
	// Dynamic pages at the fastest level: the best ratios cost several
	// times the CPU of the page itself for a few percent of its bytes.
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	app.Get("/sante", s.handleHealth, s.identify, s.handleHealthDetail)
	if s.cfg.BenchFile != "" {
		app.Get(BenchFilePath, serveBenchFile(s.cfg.BenchFile))
	}

	// The one route without a CSRF check: the signed link is the proof, and
	// a mail client's one-click POST (RFC 8058) has no token to send.
	app.Post(unsubscribePath, s.identify, s.handleUnsubscribe)

	// refuseOversizedBodies comes before csrf, which would read the body.
	app.Use(s.identify, s.refuseOversizedBodies, s.csrf, s.refuseSuspendedWrites, s.requireTwoFactorEnrolment, s.requireCharter)

	app.Get("/", s.handleHome)
	app.Get("/charte", s.handleCharter)
	app.Get("/accessibilite", s.handleAccessibility)
	app.Get("/membres/:pseudo", s.handleMemberShow)

	// Accounts.
	app.Get("/inscription", s.handleRegisterForm)
	app.Post("/inscription", s.handleRegister)
	app.Get("/verification", s.handleVerifyForm)
	app.Post("/verification", s.handleVerify)
	app.Post("/verification/renvoyer", s.requireMember, s.handleVerifyResend)
	app.Get("/connexion", s.handleLoginForm)
	app.Post("/connexion", s.handleLogin)
	app.Post("/deconnexion", s.handleLogout)
	app.Get("/mot-de-passe-oublie", s.handleForgotForm)
	app.Post("/mot-de-passe-oublie", s.handleForgot)
	app.Get("/mot-de-passe/nouveau", s.handleResetForm)
	app.Post("/mot-de-passe/nouveau", s.handleReset)
	app.Get("/installation", s.handleSetupForm)
	app.Post("/installation", s.handleSetup)

	account := app.Group("/compte", s.requireMember)
	account.Get("/", s.handleAccount)
	account.Post("/profil", s.handleProfileUpdate)
	account.Post("/mot-de-passe", s.handlePasswordChange)
	account.Post("/courriel", s.handleEmailChange)
	account.Get("/notifications", s.handleMailPrefs)
	account.Post("/notifications", s.handleMailPrefsSave)
	account.Get("/jetons", s.handleTokens)
	account.Post("/jetons", s.handleTokenCreate)
	account.Post("/jetons/:id/revoquer", s.handleTokenRevoke)
	app.Get("/compte/courriel/confirmer", s.handleEmailConfirmForm)
	app.Post("/compte/courriel/confirmer", s.handleEmailConfirm)
	app.Get("/courriel/annuler", s.handleEmailUndoForm)
	app.Post("/courriel/annuler", s.handleEmailUndo)
	app.Get(unsubscribePath, s.handleUnsubscribeForm)

	// Discussions.
	app.Get("/discussions", s.handleTopicList)
	app.Get("/discussions.atom", s.handleTopicsFeed)
	app.Get("/discussions/nouvelle", s.requireMember, s.handleTopicNewForm)
	app.Post("/discussions/nouvelle", s.requireMember, s.handleTopicCreate)
	app.Get("/discussions/similaires", s.handleSimilarTopics)
	app.Post("/discussions/tout-lu", s.requireMember, s.handleMarkAllRead)
	app.Get("/discussions/:id<int>", s.handleTopicRedirect)
	app.Get("/discussions/:id<int>/evenements", s.handleTopicEvents)
	app.Get("/discussions/:id<int>/:slug", s.handleTopicShow)
	app.Get("/discussions/:id<int>/:slug/posts/:n<int>/versions", s.handlePostVersions)
	app.Post("/discussions/:id<int>/reponses", s.requireMember, s.handleReply)
	app.Post("/discussions/:id<int>/suivre", s.requireMember, s.handleTopicFollow)
	app.Post("/discussions/:id<int>/moderation", s.requireModerator, s.handleTopicModerate)
	app.Get("/messages/:id<int>/modifier", s.requireMember, s.handlePostEditForm)
	app.Post("/messages/:id<int>/modifier", s.requireMember, s.handlePostEdit)
	app.Get("/messages/:id<int>/supprimer", s.requireMember, s.handlePostDeleteForm)
	app.Post("/messages/:id<int>/supprimer", s.requireMember, s.handlePostDelete)
	app.Post("/messages/:id<int>/retablir", s.requireMember, s.handlePostRestore)
	app.Post("/messages/:id<int>/masquer", s.requireModerator, s.handlePostHide)
	app.Post("/messages/:id<int>/merci", s.requireMember, s.handleMerci)
	app.Post("/messages/:id<int>/accepter", s.requireMember, s.handleAccept)
	app.Post("/messages/:id<int>/enregistrer", s.requireMember, s.handleBookmark)
	app.Get("/enregistrements", s.requireMember, s.handleBookmarks)
	app.Get("/categories/:slug", s.handleCategoryShow)
	app.Post("/categories/:slug/suivre", s.requireMember, s.handleFollow)
	app.Get("/etiquettes", s.handleTagIndex)
	app.Get("/etiquettes/:tag", s.handleTagShow)
	app.Post("/etiquettes/:tag/suivre", s.requireMember, s.handleFollow)
	app.Get("/fichiers/:name", s.handleUploadShow)
	app.Get("/recherche", s.handleSearch)
	app.Get("/brouillons", s.requireMember, s.handleDrafts)
	app.Post("/brouillons", s.requireMember, s.handleDraftAutosave)
	app.Post("/brouillons/supprimer", s.requireMember, s.handleDraftDelete)

	admin := app.Group("/admin", s.requireAdmin)
	admin.Get("/", s.handleAdminDashboard)
	admin.Get("/membres", s.handleAdminMembers)
	admin.Post("/membres/:id/role", s.handleAdminRole)
	admin.Post("/membres/:id/suspension", s.handleAdminSuspend)
	admin.Get("/courriels", s.handleAdminMails)
	admin.Get("/sauvegardes", s.handleAdminBackups)
	admin.Post("/sauvegardes", s.handleBackupStart)

	s.ficheRoutes(app)
	s.proposalRoutes(app)
	s.signatureRoutes(app)
	s.collectionRoutes(app)
	s.ficheModerationRoutes(app)
	s.notificationRoutes(app)
	s.composerRoutes(app)
	s.messageRoutes(app)
	s.twoFactorRoutes(app)
	s.sessionRoutes(app)
	s.trustRoutes(app)
	s.personalDataRoutes(app)
	s.moderationRoutes(app)

	api := app.Group("/api/v1")
	api.Get("/me", s.requireMember, s.handleAPIMe)
	api.Get("/categories", s.handleAPICategories)
	api.Get("/recherche", s.handleAPISearch)
	api.Get("/discussions", s.handleAPITopics)
	api.Post("/discussions", s.requireMember, s.handleAPITopicCreate)
	api.Get("/discussions/:id<int>", s.handleAPITopic)
	api.Post("/discussions/:id<int>/reponses", s.requireMember, s.handleAPIReply)
	api.Patch("/posts/:id<int>", s.requireMember, s.handleAPIPostEdit)
	api.Post("/posts/:id<int>/merci", s.requireMember, s.handleAPIMerci)
	s.apiFicheRoutes(api)
	s.apiProposalRoutes(api)
	api.Get("/notifications", s.requireMember, s.handleAPINotifications)
	api.Post("/notifications/lu", s.requireMember, s.handleAPINotificationsRead)
	api.Post("/fiches/:slug/enregistrer", s.requireMember, s.handleAPIFicheSave)
	s.apiMessageRoutes(api)
	s.apiFlagRoutes(api)
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	return app
}
