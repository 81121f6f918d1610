package seda

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"strconv"
	"strings"
)

// dataObjectXML is a BinaryDataObject or a PhysicalDataObject.
type dataObjectXML struct {
	ID         string     `xml:"id,attr"`
	GroupID    string     `xml:"DataObjectGroupId"`          // SEDA 2.0/2.1 flat style
	GroupRef   string     `xml:"DataObjectGroupReferenceId"` // SEDA 2.0/2.1 flat style
	Version    string     `xml:"DataObjectVersion"`
	URI        string     `xml:"Uri"`
	Attachment *struct{}  `xml:"Attachment"`
	Digest     *digestXML `xml:"MessageDigest"`
	Size       string     `xml:"Size"`
	Format     struct {
		Litteral string `xml:"FormatLitteral"`
		MimeType string `xml:"MimeType"`
		ID       string `xml:"FormatId"`
		Encoding string `xml:"Encoding"`
	} `xml:"FormatIdentification"`
	Filename    string   `xml:"FileInfo>Filename"`
	PhysicalIDs []string `xml:"PhysicalId"`
	Dimensions  struct {
		Items []struct {
			XMLName xml.Name
			Unit    string `xml:"unit,attr"`
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"PhysicalDimensions"`
	Extent string `xml:"Extent"`
}

type digestXML struct {
	Algorithm  string `xml:"algorithm,attr"`
	Algorithme string `xml:"algorithme,attr"` // the SEDA 1.0 spelling, still met
	Value      string `xml:",chardata"`
}

// dataObject reads a data object, records it in its group, and lists it.
func (m *parser) dataObject(t xml.StartElement) error {
	var x dataObjectXML
	if err := m.decode(&x, t); err != nil {
		return err
	}
	id := trim(x.ID)
	if id == "" {
		return refusef("a %s has no id", t.Name.Local)
	}
	if err := m.g.declare(id, t.Name.Local); err != nil {
		return err
	}
	if err := m.joinGroup(id, trim(x.GroupID), trim(x.GroupRef)); err != nil {
		return err
	}
	m.g.objects = append(m.g.objects, id)
	if t.Name.Local == "PhysicalDataObject" {
		m.t.Physicals = append(m.t.Physicals, x.physical(id))
		return nil
	}
	o, err := x.binary(id)
	if err != nil {
		return err
	}
	m.t.Binaries = append(m.t.Binaries, o)
	return nil
}

// joinGroup puts an object in its group: the DataObjectGroup element around it, or the
// group it names. A group named before any object declares it is created then: Vitam
// reads SEDA 2.0 manifests where a PhysicalDataObject refers to the group that a later
// BinaryDataObject declares.
func (m *parser) joinGroup(id, declared, referenced string) error {
	home := m.group
	for _, name := range []string{declared, referenced} {
		switch {
		case name == "":
			continue
		case name == declared:
			if err := m.g.declare(name, "DataObjectGroup"); err != nil {
				return err
			}
		}
		if home == "" {
			home = name
		}
		m.g.groups.union(home, name)
	}
	m.g.objGroup[id] = home
	return nil
}

func (x *dataObjectXML) binary(id string) (*BinaryObject, error) {
	if x.Attachment != nil {
		return nil, refusef("object %s: an inline Attachment is not supported (give the file with a Uri)", id)
	}
	if x.Digest == nil || trim(x.Digest.Value) == "" {
		return nil, refusef("object %s: no MessageDigest", id)
	}
	alg, ok := digestAlgorithm(firstNonEmpty(x.Digest.Algorithm, x.Digest.Algorithme))
	if !ok {
		return nil, refusef("object %s: unsupported digest algorithm %q (supported: SHA-512, SHA-384, SHA-256, SHA-1, MD5)",
			id, firstNonEmpty(x.Digest.Algorithm, x.Digest.Algorithme))
	}
	digest, ok := digestHex(alg, x.Digest.Value)
	if !ok {
		return nil, refusef("object %s: MessageDigest is neither the hex nor the base64 of a %s digest", id, alg)
	}
	size, err := parseSize(id, x.Size)
	if err != nil {
		return nil, err
	}
	return &BinaryObject{
		ID:              id,
		Version:         trim(x.Version),
		URI:             trim(x.URI),
		Filename:        trim(x.Filename),
		MimeType:        trim(x.Format.MimeType),
		FormatID:        trim(x.Format.ID),
		FormatLitteral:  trim(x.Format.Litteral),
		Encoding:        trim(x.Format.Encoding),
		Size:            size,
		Digest:          digest,
		DigestAlgorithm: alg,
	}, nil
}

func parseSize(id, raw string) (int64, error) {
	raw = trim(raw)
	if raw == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, refusef("object %s: Size %q is not a number of bytes", id, raw)
	}
	return n, nil
}

func (x *dataObjectXML) physical(id string) *PhysicalObject {
	var dims []string
	for _, d := range x.Dimensions.Items {
		if v := trim(d.Value); v != "" {
			dims = append(dims, strings.TrimSpace(d.XMLName.Local+" "+v+" "+trim(d.Unit)))
		}
	}
	if e := trim(x.Extent); e != "" {
		dims = append(dims, e)
	}
	return &PhysicalObject{
		ID:          id,
		Version:     trim(x.Version),
		PhysicalIDs: trimAll(x.PhysicalIDs),
		Description: strings.Join(dims, ", "),
	}
}

// digestSizes are the supported algorithms, by normalised name, with their digest size.
var digestSizes = map[string]int{"SHA-512": 64, "SHA-384": 48, "SHA-256": 32, "SHA-1": 20, "MD5": 16}

// digestAlgorithm normalises an algorithm given as a name (SHA-512, SHA512, sha-512) or
// as an XML-DSig URI (http://www.w3.org/2001/04/xmlenc#sha512).
func digestAlgorithm(s string) (string, bool) {
	s = strings.ToLower(trim(s))
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.NewReplacer("-", "", "_", "", " ", "").Replace(s)
	names := map[string]string{"sha512": "SHA-512", "sha384": "SHA-384", "sha256": "SHA-256", "sha1": "SHA-1", "md5": "MD5"}
	name, ok := names[s]
	return name, ok
}

// digestHex normalises a digest written in hex or base64 to lowercase hex; the length
// of the value tells the two apart.
func digestHex(alg, v string) (string, bool) {
	v = strings.Join(strings.Fields(v), "")
	size := digestSizes[alg]
	if len(v) == 2*size {
		if b, err := hex.DecodeString(v); err == nil {
			return hex.EncodeToString(b), true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == size {
			return hex.EncodeToString(b), true
		}
	}
	return "", false
}
