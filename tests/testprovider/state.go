package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// record is what the fake cloud keeps about one resource.
type record struct {
	Pkg     string
	Type    string
	URN     string
	ID      string
	Inputs  resource.PropertyMap
	Outputs resource.PropertyMap
}

// store is the fake cloud's inventory, keyed by package + id.
type store interface {
	get(pkg, id string) (*record, bool, error)
	put(r *record) error
	remove(pkg, id string) error
}

// newStore keeps state in dir (one JSON file per resource) or, with dir == "", in memory.
func newStore(dir string) (store, error) {
	if dir == "" {
		return &memStore{m: map[string]*record{}}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &dirStore{dir: dir}, nil
}

func storeKey(pkg, id string) string { return pkg + "/" + id }

type memStore struct {
	mu sync.Mutex
	m  map[string]*record
}

func (s *memStore) get(pkg, id string) (*record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[storeKey(pkg, id)]
	if !ok {
		return nil, false, nil
	}
	c := *r
	c.Inputs, c.Outputs = r.Inputs.Copy(), r.Outputs.Copy()
	return &c, true, nil
}

func (s *memStore) put(r *record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *r
	c.Inputs, c.Outputs = r.Inputs.Copy(), r.Outputs.Copy()
	s.m[storeKey(r.Pkg, r.ID)] = &c
	return nil
}

func (s *memStore) remove(pkg, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, storeKey(pkg, id))
	return nil
}

// dirStore writes <dir>/<pkg>__<url-escaped id>.json, atomically (temp file + rename), so that
// several provider processes and successive engine runs share one consistent inventory.
type dirStore struct{ dir string }

// fileRecord is the on-disk form; property maps are kept in the wire encoding, so secrets stay
// marked as secrets.
type fileRecord struct {
	Pkg     string          `json:"pkg"`
	Type    string          `json:"type"`
	URN     string          `json:"urn"`
	ID      string          `json:"id"`
	Inputs  json.RawMessage `json:"inputs"`
	Outputs json.RawMessage `json:"outputs"`
}

var stateOpts = plugin.MarshalOptions{Label: "state", KeepSecrets: true, KeepUnknowns: true, KeepResources: true}

// path is the record's file: the escaped id, or for an id too long for a file name
// (Azure role assignments scoped to a subnet) its start and a hash of it. The record
// itself holds the whole id.
func (s *dirStore) path(pkg, id string) string {
	name := pkg + "__" + url.PathEscape(id)
	if len(name) > maxFileName {
		sum := sha256.Sum256([]byte(id))
		name = name[:maxFileName-17] + "~" + hex.EncodeToString(sum[:8])
	}
	return filepath.Join(s.dir, name+".json")
}

// maxFileName leaves room for ".json" within the 255 bytes file systems allow.
const maxFileName = 240

func encodeProps(m resource.PropertyMap) (json.RawMessage, error) {
	st, err := plugin.MarshalProperties(m, stateOpts)
	if err != nil {
		return nil, err
	}
	return protojson.Marshal(st)
}

func decodeProps(raw json.RawMessage) (resource.PropertyMap, error) {
	st := &structpb.Struct{}
	if len(raw) > 0 {
		if err := protojson.Unmarshal(raw, st); err != nil {
			return nil, err
		}
	}
	return plugin.UnmarshalProperties(st, stateOpts)
}

func (s *dirStore) get(pkg, id string) (*record, bool, error) {
	data, err := os.ReadFile(s.path(pkg, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	var fr fileRecord
	if err := json.Unmarshal(data, &fr); err != nil {
		return nil, false, fmt.Errorf("state %s: %w", s.path(pkg, id), err)
	}
	r := &record{Pkg: fr.Pkg, Type: fr.Type, URN: fr.URN, ID: fr.ID}
	if r.Inputs, err = decodeProps(fr.Inputs); err != nil {
		return nil, false, err
	}
	if r.Outputs, err = decodeProps(fr.Outputs); err != nil {
		return nil, false, err
	}
	return r, true, nil
}

func (s *dirStore) put(r *record) error {
	fr := fileRecord{Pkg: r.Pkg, Type: r.Type, URN: r.URN, ID: r.ID}
	var err error
	if fr.Inputs, err = encodeProps(r.Inputs); err != nil {
		return err
	}
	if fr.Outputs, err = encodeProps(r.Outputs); err != nil {
		return err
	}
	data, err := json.MarshalIndent(fr, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), s.path(r.Pkg, r.ID))
}

func (s *dirStore) remove(pkg, id string) error {
	err := os.Remove(s.path(pkg, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
