package index

import (
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Index field names. One document per archive unit; no catch-all field: every query
// names its fields, with boosts (see fieldBoosts).
const (
	fID           = "id"
	fTenant       = "tenant"      // the unit's tenant (facet)
	fTenantPath   = "tenant_path" // the tenant and every tenant above it: a right on cdg62 is one term
	fAncestors    = "ancestors"   // every ancestor's id: search within a fonds
	fPath         = "path"        // stored only: the first-parent chain, root first, for breadcrumbs
	fLevel        = "level"       // DescriptionLevel (facet)
	fTitle        = "title"       // main title (French first)
	fTitleOther   = "title_other" // other titles (other languages)
	fDescription  = "description" // descriptions, custodial history
	fKeyword      = "keyword"     // keyword contents, as text
	fKeywordFacet = "keyword_facet"
	fProducer     = "producer" // originating agency identifier (facet)
	fProducerText = "producer_text"
	fPerson       = "person"    // names of the persons in the content
	fCote         = "cote"      // the cote, exact (normalised)
	fCoteText     = "cote_text" // the cote as words
	fIdentifier   = "identifier"
	fStartYear    = "start_year"
	fEndYear      = "end_year"
	fStart        = "start" // stored only: the dates as written in ISO form
	fEnd          = "end"
	fFormat       = "format"      // MIME types of the objects (facet)
	fHasObject    = "has_object"  // "true" or "false" (facet)
	fOpenDay      = "open_day"    // first communicable day, yyyymmdd (0 always, 99991231 never/unknown)
	fOnlineDay    = "online_day"  // first day the public may see it: the later of open_day and the publication day
	fOnline       = "online"      // "true" when online_day had passed when the unit was written (see onlineQuery)
	fDescPublic   = "desc_public" // "true" when the fonds' description is public while closed
	fPage         = "page"        // one value per PDF page, in order
	fPageRef      = "page_ref"    // stored only, parallel to page: "objectID/page/source"
	fDateAsc      = "date_asc"    // start date as yyyymmdd; units without dates sort last
	fDateDesc     = "date_desc"   // end date as yyyymmdd, for the most recent first
	fUID          = "uid"         // the unit id, zero-padded: the sort orders' tie-break (one doc value term)
	fFacets       = "facets"      // the low-cardinality facet values, prefixed (see facetValue)
	fTitleSort    = "title_sort"
	fCoteSort     = "cote_sort"
)

// fieldBoosts ranks title and cote above description above full text.
var fieldBoosts = map[string]float64{
	fTitle:        4,
	fCoteText:     4,
	fTitleOther:   3,
	fKeyword:      2.5,
	fPerson:       2,
	fProducerText: 1.5,
	fDescription:  1.5,
	fPage:         0.6,
}

// textFields are the fields a word without a field prefix is looked for in.
var textFields = []string{fTitle, fCoteText, fTitleOther, fKeyword, fPerson, fProducerText, fDescription, fPage}

// userFields maps a query's field prefix to index fields.
var userFields = map[string][]string{
	FieldTitle:       {fTitle, fTitleOther},
	FieldCote:        {fCoteText, fIdentifier},
	FieldProducer:    {fProducerText},
	FieldKeyword:     {fKeyword},
	FieldDescription: {fDescription},
	FieldPerson:      {fPerson},
	FieldText:        {fPage},
}

// newMapping is the index mapping: explicit fields, dynamic mapping and _all off.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := mapping.NewIndexMapping()
	if err := AddAnalyzers(m); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	doc := mapping.NewDocumentStaticMapping()
	add := func(name string, fm *mapping.FieldMapping) {
		fm.Name = name
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(name, fm)
	}
	for _, f := range []string{fTitle, fTitleOther, fDescription, fKeyword, fPerson, fProducerText, fPage} {
		add(f, textField(AnalyzerFrText))
	}
	add(fCote, textField(AnalyzerCote))
	add(fIdentifier, textField(AnalyzerCote))
	add(fCoteText, textField(AnalyzerCoteText))
	// Doc values only where the columns read them (facets, sort keys, the unit id and
	// its ancestors, the years and days): facets, orders and the security filter of the
	// units seen in full are worked out from the columns.
	for _, f := range []string{fID, fTenant, fLevel, fProducer, fHasObject} {
		add(f, keywordField(true, false))
	}
	for _, f := range []string{fTenantPath, fFormat, fDescPublic, fOnline} {
		add(f, keywordField(false, false))
	}
	for _, f := range []string{fKeywordFacet, fFacets, fUID, fAncestors, fTitleSort, fCoteSort} {
		add(f, keywordField(false, true))
	}
	for _, f := range []string{fStartYear, fEndYear, fOpenDay, fOnlineDay, fDateAsc, fDateDesc} {
		n := mapping.NewNumericFieldMapping()
		n.Store = f != fDateAsc && f != fDateDesc
		add(f, n)
	}
	for _, f := range []string{fPath, fStart, fEnd, fPageRef} {
		s := mapping.NewTextFieldMapping()
		s.Index, s.Store, s.DocValues = false, true, false
		add(f, s)
	}
	// Bleve adds a composite _all field to every document unless a sub-mapping of that
	// name is disabled; with every field left out of it, it indexed nothing and still
	// cost every document a pass over its fields' tokens.
	doc.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	return m, nil
}

func textField(analyzer string) *mapping.FieldMapping {
	f := mapping.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = true
	f.IncludeTermVectors = true // phrases and highlighting
	f.DocValues = false
	return f
}

func keywordField(store, docValues bool) *mapping.FieldMapping {
	f := mapping.NewKeywordFieldMapping()
	f.Store = store
	f.DocValues = docValues
	return f
}
