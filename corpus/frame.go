package corpus

// The archival frame the generator fills: fonds kinds, their series and the files and
// items archivists describe in them, after the cadre de classement of communal archives
// (1926 for the modern series D–T, series AA–II for the Ancien Régime, W for versements
// since 1983, Fi for figurative documents).
//
// Templates: {place} a street or hamlet, {person} a person (who is then named in the
// unit's Addressee), {date} the item's date written out, {year} the file's first year,
// {words} two or three words of the vocabulary, {n} a number.

// fileDef is a kind of file, with the items it holds and its access profile.
type fileDef struct {
	title string
	items []string // item title templates; none: the file is described as a whole
	rules profile
}

// seriesDef is a series (or sub-series) of a fonds.
type seriesDef struct {
	code     string // "1 D"; versements number their files themselves
	title    string
	files    []fileDef
	maxItems int    // items per file, at most
	years    [2]int // a file covers from years[0] to years[1] years
	keywords []string
	weight   int     // how often a fonds has this series
	rules    profile // declared on the series itself
	writer   bool    // files are signed by the mayor (a Writer with dates)
}

// fondsKind is a kind of fonds and its series.
type fondsKind struct {
	name   string
	title  string // template: {of} ("de Ruitz", "d'Auchel"), {name}, {n}
	period [2]int // years the fonds covers
	series []seriesDef
}

var deliberations = []string{"Délibération du {date} : {words}", "Délibération du {date} portant {words}",
	"Séance du {date} : {words}"}

var buildingItems = []string{"Plan : {words}", "Devis estimatif", "Procès-verbal d'adjudication",
	"Correspondance avec l'architecte", "Cahier des charges : {words}", "Décompte des travaux",
	"Procès-verbal de réception des travaux"}

// modernFonds: the commune's archives from 1790 to 1982.
var modernFonds = fondsKind{name: "modern", title: "Archives communales {of} (1790-1982)", period: [2]int{1790, 1982},
	series: []seriesDef{
		{code: "1 D", title: "Conseil municipal : délibérations", weight: 10, maxItems: 24, years: [2]int{4, 12}, writer: true,
			keywords: []string{"conseil municipal"},
			files: []fileDef{{title: "Registre des délibérations du conseil municipal", items: deliberations},
				{title: "Délibérations du conseil municipal : {words}", items: deliberations}}},
		{code: "2 D", title: "Actes de l'administration municipale", weight: 7, maxItems: 15, years: [2]int{1, 6}, writer: true,
			keywords: []string{"administration communale"},
			files: []fileDef{{title: "Arrêtés du maire", items: []string{"Arrêté du maire du {date} : {words}"}},
				{title: "Registre de correspondance", items: []string{"Lettre du {date} : {words}"}},
				{title: "Contentieux : {words}", rules: justice75}}},
		{code: "3 D", title: "Administration générale de la commune", weight: 4, years: [2]int{1, 30},
			files: []fileDef{{title: "Monographie communale"}, {title: "Limites territoriales : {place}"},
				{title: "Inventaire des archives communales"}, {title: "Assurances : {words}"}}},
		{code: "1 E", title: "État civil : registres", weight: 9, maxItems: 6, years: [2]int{1, 10},
			keywords: []string{"état civil"},
			files: []fileDef{{title: "Registre des naissances", rules: civilBirth,
				items: []string{"Acte de naissance de {person}", "Mention marginale : {person}"}},
				{title: "Registre des mariages", rules: civilMarriage, items: []string{"Acte de mariage de {person}"}},
				{title: "Registre des décès", rules: civilDeath, items: []string{"Acte de décès de {person}"}}}},
		{code: "3 E", title: "État civil : actes divers", weight: 4, maxItems: 5, years: [2]int{1, 10},
			keywords: []string{"état civil"},
			files: []fileDef{{title: "Tables décennales"}, {title: "Publications de mariage", rules: private50,
				items: []string{"Publication de mariage de {person}"}},
				{title: "Rectifications d'actes", rules: private50, items: []string{"Jugement de rectification : {person}"}}}},
		{code: "1 F", title: "Population : recensements", weight: 5, years: [2]int{1, 5}, rules: stat75,
			keywords: []string{"recensement"},
			files: []fileDef{{title: "Recensement de la population : listes nominatives"},
				{title: "Mouvements de la population"}}},
		{code: "3 F", title: "Agriculture", weight: 4, years: [2]int{1, 10}, rules: stat25,
			keywords: []string{"agriculture"},
			files: []fileDef{{title: "Statistique agricole annuelle"}, {title: "Calamités agricoles : {words}"},
				{title: "Syndicats agricoles"}}},
		{code: "1 G", title: "Cadastre", weight: 6, maxItems: 8, years: [2]int{5, 40},
			keywords: []string{"cadastre"},
			files: []fileDef{{title: "Cadastre : états de section"}, {title: "Matrices cadastrales des propriétés bâties"},
				{title: "Plans cadastraux : {place}", items: []string{"Feuille {n} : {place}"}}}},
		{code: "2 G", title: "Contributions directes", weight: 4, years: [2]int{1, 20},
			files: []fileDef{{title: "Contributions directes : matrices générales"}, {title: "Patentes : {words}"}}},
		{code: "1 H", title: "Recrutement de l'armée", weight: 4, maxItems: 4, years: [2]int{1, 3}, rules: private50,
			keywords: []string{"affaires militaires"},
			files: []fileDef{{title: "Recensement militaire : tableaux de la classe {year}"},
				{title: "Dossiers de réformés", items: []string{"Dossier de {person}"}}}},
		{code: "4 H", title: "Mesures d'exception et faits de guerre", weight: 3, maxItems: 6, years: [2]int{1, 6},
			keywords: []string{"guerre"},
			files: []fileDef{{title: "Réfugiés : {words}", rules: private50, items: []string{"Fiche de réfugié : {person}"}},
				{title: "Défense passive : abris", rules: defense50},
				{title: "Monument aux morts : érection", items: buildingItems},
				{title: "Plan particulier d'intervention : site sensible", rules: never}}},
		{code: "1 I", title: "Police locale", weight: 4, maxItems: 8, years: [2]int{1, 5},
			keywords: []string{"police"},
			files: []fileDef{{title: "Procès-verbaux de contravention", rules: police75,
				items: []string{"Procès-verbal du {date} : {person}"}},
				{title: "Débits de boissons : autorisations"}, {title: "Fêtes et cérémonies : {words}"}}},
		{code: "5 I", title: "Hygiène et santé publique", weight: 3, maxItems: 10, years: [2]int{1, 5},
			keywords: []string{"santé publique"},
			files: []fileDef{{title: "Vaccinations : listes et certificats", rules: medical,
				items: []string{"Certificat de vaccination de {person}"}},
				{title: "Épidémies : {words}"}, {title: "Aliénés : placements", rules: medical,
					items: []string{"Dossier de placement : {person}"}}}},
		{code: "1 K", title: "Élections", weight: 5, years: [2]int{1, 6},
			keywords: []string{"élections"},
			files: []fileDef{{title: "Listes électorales"}, {title: "Élections municipales : procès-verbaux"},
				{title: "Élections législatives : {words}"}}},
		{code: "2 K", title: "Personnel communal", weight: 5, maxItems: 3, years: [2]int{3, 30},
			keywords: []string{"personnel communal"},
			files: []fileDef{{title: "Dossier individuel de {person}", rules: personnel,
				items: []string{"Arrêté de nomination", "Notation : {words}"}},
				{title: "Personnel : traitements et indemnités", rules: private50}}},
		{code: "1 L", title: "Finances communales", weight: 7, maxItems: 12, years: [2]int{1, 3},
			keywords: []string{"finances communales"},
			files: []fileDef{{title: "Budgets et comptes administratifs", items: []string{"Budget primitif de {year}", "Compte administratif de {year}"}},
				{title: "Comptabilité : mandats et titres", items: []string{"Mandat n° {n} : {words}"}},
				{title: "Emprunts : {words}"}}},
		{code: "1 M", title: "Édifices communaux", weight: 7, maxItems: 8, years: [2]int{1, 8},
			keywords: []string{"bâtiments communaux"},
			files: []fileDef{{title: "Mairie : construction", items: buildingItems},
				{title: "Église : travaux de restauration", items: buildingItems},
				{title: "Presbytère : réparations", items: buildingItems},
				{title: "Cimetière : agrandissement, {place}", items: buildingItems},
				{title: "Salle des fêtes : {words}", items: buildingItems}}},
		{code: "1 N", title: "Biens communaux", weight: 4, years: [2]int{1, 15},
			files: []fileDef{{title: "Biens communaux : location de la chasse"}, {title: "Bois communaux : {words}"},
				{title: "Acquisitions et ventes de terrains : {place}"}}},
		{code: "1 O", title: "Travaux publics et voirie", weight: 7, maxItems: 8, years: [2]int{1, 6},
			keywords: []string{"voirie"},
			files: []fileDef{{title: "Travaux de voirie : marchés", items: buildingItems},
				{title: "Éclairage public : {place}", items: buildingItems},
				{title: "Eau potable et assainissement : {words}", items: buildingItems}}},
		{code: "2 O", title: "Chemins vicinaux", weight: 5, maxItems: 5, years: [2]int{1, 10},
			keywords: []string{"voirie"},
			files: []fileDef{{title: "Chemin vicinal n° {n} : {place}", items: buildingItems},
				{title: "Alignements : {place}"}}},
		{code: "1 P", title: "Cultes", weight: 3, years: [2]int{1, 20},
			keywords: []string{"cultes"},
			files:    []fileDef{{title: "Fabrique : comptes"}, {title: "Séparation des Églises et de l'État : inventaire des biens"}}},
		{code: "1 Q", title: "Assistance et prévoyance", weight: 5, maxItems: 6, years: [2]int{1, 8},
			keywords: []string{"aide sociale"},
			files: []fileDef{{title: "Bureau de bienfaisance : délibérations"},
				{title: "Aide médicale gratuite : listes", rules: medical, items: []string{"Dossier de {person}"}},
				{title: "Assistance aux vieillards : {person}", rules: private50}}},
		{code: "1 R", title: "Instruction publique", weight: 5, maxItems: 8, years: [2]int{1, 8},
			keywords: []string{"enseignement"},
			files: []fileDef{{title: "École de garçons : construction", items: buildingItems},
				{title: "École de filles : mobilier scolaire"}, {title: "Caisse des écoles : {words}"}}},
		{code: "1 T", title: "Urbanisme", weight: 4, maxItems: 6, years: [2]int{1, 5},
			keywords: []string{"urbanisme"},
			files:    []fileDef{{title: "Permis de construire : {person}, {place}"}, {title: "Plan d'urbanisme : {words}"}}},
	}}

// ancientFonds: the Ancien Régime series.
var ancientFonds = fondsKind{name: "ancient", title: "Archives anciennes {of} (avant 1790)", period: [2]int{1580, 1789},
	series: []seriesDef{
		{code: "AA", title: "Actes constitutifs et politiques de la commune", weight: 3, years: [2]int{1, 50},
			files: []fileDef{{title: "Chartes et privilèges : {words}"}}},
		{code: "BB", title: "Administration communale", weight: 5, maxItems: 10, years: [2]int{5, 20},
			files: []fileDef{{title: "Registre des délibérations de l'assemblée des habitants", items: deliberations}}},
		{code: "CC", title: "Impôts et comptabilité", weight: 5, years: [2]int{1, 10},
			files: []fileDef{{title: "Rôles de taille"}, {title: "Comptes des syndics : {words}"}}},
		{code: "DD", title: "Biens communaux, eaux et forêts", weight: 3, years: [2]int{1, 30},
			files: []fileDef{{title: "Marais communaux : {words}"}}},
		{code: "FF", title: "Justice et police", weight: 3, years: [2]int{1, 20},
			files: []fileDef{{title: "Procédures : {words}"}}},
		{code: "GG", title: "Cultes, instruction et assistance", weight: 6, maxItems: 6, years: [2]int{5, 20},
			keywords: []string{"registres paroissiaux"},
			files: []fileDef{{title: "Registres paroissiaux : baptêmes, mariages, sépultures",
				items: []string{"Acte de baptême de {person}", "Acte de sépulture de {person}"}}}},
		{code: "HH", title: "Agriculture, industrie et commerce", weight: 2, years: [2]int{1, 30},
			files: []fileDef{{title: "Foires et marchés : {words}"}}},
		{code: "JJ", title: "Minutes notariales déposées", weight: 1, years: [2]int{1, 20}, rules: notary75,
			files: []fileDef{{title: "Minutes du notaire {person}"}}},
	}}

// figuredFonds: figurative documents (postcards, plans, photographs).
var figuredFonds = fondsKind{name: "figured", title: "Documents figurés {of}", period: [2]int{1880, 1995},
	series: []seriesDef{
		{code: "1 Fi", title: "Cartes postales", weight: 5, maxItems: 5, years: [2]int{1, 10},
			files: []fileDef{{title: "Carte postale : {place}", items: []string{"Vue : {place}"}}}},
		{code: "2 Fi", title: "Plans", weight: 4, maxItems: 4, years: [2]int{1, 5},
			files: []fileDef{{title: "Plan : {place}", items: []string{"Plan : {words}"}}}},
		{code: "3 Fi", title: "Photographies", weight: 4, maxItems: 8, years: [2]int{1, 3},
			files: []fileDef{{title: "Photographies : {words}", items: []string{"Photographie : {place}"}}}},
	}}

// versementServices: a versement (W) comes from one service, with its own series.
var versementServices = []struct {
	service string
	series  []seriesDef
}{
	{"Secrétariat général", []seriesDef{
		{title: "Délibérations et arrêtés", weight: 8, maxItems: 20, years: [2]int{1, 3}, writer: true,
			files: []fileDef{{title: "Délibérations du conseil municipal", items: deliberations},
				{title: "Arrêtés du maire", items: []string{"Arrêté n° {n} du {date} : {words}"}}}},
		{title: "Contentieux", weight: 2, years: [2]int{1, 4}, rules: justice75,
			files: []fileDef{{title: "Contentieux : {person}"}, {title: "Recours : {words}"}}}}},
	{"Urbanisme", []seriesDef{
		{title: "Permis de construire", weight: 8, maxItems: 5, years: [2]int{1, 2}, keywords: []string{"urbanisme"},
			files: []fileDef{{title: "Permis de construire n° {n} : {person}, {place}",
				items: []string{"Plan de masse", "Arrêté de permis de construire", "Déclaration d'achèvement des travaux"}},
				{title: "Déclaration préalable n° {n} : {place}"}}},
		{title: "Documents d'urbanisme", weight: 3, maxItems: 4, years: [2]int{2, 6},
			files: []fileDef{{title: "Plan local d'urbanisme : {words}", items: []string{"Enquête publique : {words}"}}}}}},
	{"Ressources humaines", []seriesDef{
		{title: "Dossiers individuels du personnel", weight: 8, maxItems: 3, years: [2]int{5, 35}, keywords: []string{"personnel communal"},
			files: []fileDef{{title: "Dossier individuel de {person}", rules: personnel,
				items: []string{"Arrêté de nomination", "Évaluation : {words}", "Arrêté de mise à la retraite"}}}},
		{title: "Paie", weight: 4, years: [2]int{1, 1}, rules: private50,
			files: []fileDef{{title: "Bulletins de paie de {year}"}, {title: "Cotisations sociales : {words}"}}}}},
	{"Finances", []seriesDef{
		{title: "Budgets et comptes", weight: 6, maxItems: 6, years: [2]int{1, 1},
			files: []fileDef{{title: "Budget primitif de {year}", items: []string{"Annexe : {words}"}},
				{title: "Compte administratif de {year}"}}},
		{title: "Marchés publics", weight: 5, maxItems: 6, years: [2]int{1, 3}, keywords: []string{"marchés publics"},
			files: []fileDef{{title: "Marché de travaux : {words}", items: []string{"Acte d'engagement", "Rapport d'analyse des offres"}},
				{title: "Offres non retenues : {words}", rules: business25}}}}},
	{"Services techniques", []seriesDef{
		{title: "Travaux de voirie", weight: 7, maxItems: 8, years: [2]int{1, 3}, keywords: []string{"voirie"},
			files: []fileDef{{title: "Réfection de la voirie : {place}", items: buildingItems},
				{title: "Réseaux d'assainissement : {place}", items: buildingItems}}},
		{title: "Bâtiments communaux", weight: 5, maxItems: 8, years: [2]int{1, 4}, keywords: []string{"bâtiments communaux"},
			files: []fileDef{{title: "École, {place} : extension", items: buildingItems},
				{title: "Salle de sports : {words}", items: buildingItems}}}}},
	{"Action sociale", []seriesDef{
		{title: "Dossiers d'aide sociale", weight: 7, maxItems: 3, years: [2]int{1, 6}, keywords: []string{"aide sociale"},
			files: []fileDef{{title: "Dossier d'aide sociale : {person}", rules: private50, items: []string{"Enquête sociale : {words}"}},
				{title: "Dossier médical : {person}", rules: medical}}},
		{title: "Portage de repas", weight: 2, years: [2]int{1, 2},
			files: []fileDef{{title: "Portage de repas à domicile : {words}"}}}}},
	{"Police municipale", []seriesDef{
		{title: "Procès-verbaux", weight: 6, maxItems: 10, years: [2]int{1, 1}, keywords: []string{"police"},
			files: []fileDef{{title: "Procès-verbaux d'infraction", rules: police75, items: []string{"Procès-verbal n° {n} : {person}"}},
				{title: "Main courante", rules: police75}}}}},
	{"État civil et élections", []seriesDef{
		{title: "État civil", weight: 6, maxItems: 6, years: [2]int{1, 1}, keywords: []string{"état civil"},
			files: []fileDef{{title: "Registre des naissances", rules: civilBirth, items: []string{"Acte de naissance de {person}"}},
				{title: "Registre des mariages", rules: civilMarriage, items: []string{"Acte de mariage de {person}"}},
				{title: "Registre des décès", rules: civilDeath}}},
		{title: "Élections", weight: 3, years: [2]int{1, 2}, keywords: []string{"élections"},
			files: []fileDef{{title: "Listes électorales"}, {title: "Procurations de vote", rules: private50}}}}},
}

// ccasFonds: a CCAS's archives.
var ccasFonds = fondsKind{name: "ccas", title: "Archives du centre communal d'action sociale {of}", period: [2]int{1955, 2023},
	series: []seriesDef{
		{code: "1 Q", title: "Conseil d'administration", weight: 5, maxItems: 12, years: [2]int{1, 5},
			files: []fileDef{{title: "Délibérations du conseil d'administration", items: deliberations}}},
		{code: "2 Q", title: "Aide sociale légale", weight: 8, maxItems: 3, years: [2]int{1, 6}, keywords: []string{"aide sociale"},
			files: []fileDef{{title: "Dossier d'aide sociale : {person}", rules: private50, items: []string{"Enquête sociale : {words}"}},
				{title: "Aide médicale : {person}", rules: medical}}},
		{code: "3 Q", title: "Foyer-logement", weight: 3, years: [2]int{1, 5},
			files: []fileDef{{title: "Foyer-logement : {words}"}, {title: "Dossiers des résidents : {person}", rules: private50}}},
	}}

// syndicateFonds: a syndicat's or a communauté de communes' archives.
var syndicateFonds = fondsKind{name: "syndicate", title: "Archives de {name} : versement {n} W", period: [2]int{1965, 2023},
	series: []seriesDef{
		{title: "Comité syndical", weight: 5, maxItems: 10, years: [2]int{1, 3},
			files: []fileDef{{title: "Délibérations du comité", items: deliberations}}},
		{title: "Eau et assainissement", weight: 6, maxItems: 8, years: [2]int{1, 4}, keywords: []string{"eau potable"},
			files: []fileDef{{title: "Station d'épuration : {words}", items: buildingItems},
				{title: "Réseau d'eau potable : {place}", items: buildingItems}}},
		{title: "Transports scolaires", weight: 3, years: [2]int{1, 2},
			files: []fileDef{{title: "Transports scolaires : {words}"}}},
		{title: "Personnel", weight: 3, maxItems: 2, years: [2]int{5, 30},
			files: []fileDef{{title: "Dossier individuel de {person}", rules: personnel}}},
	}}
