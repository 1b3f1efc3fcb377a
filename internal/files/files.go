// Package files reads the files users point pachdeploy at (settings, values, a
// comment body, a workflow event) without trusting them to be small or even finite.
package files

import (
	"fmt"
	"io"
	"os"
)

// ReadLimited reads the regular file path of at most max bytes (what, such as "a
// settings file", names it in the error). It never reads more than that, so a device
// or a pipe that never ends (/dev/zero, /dev/stdin left open) is refused instead of
// hanging.
func ReadLimited(path, what string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("must be a readable file: %v", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("must be a regular file, not %s", info.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("must be a readable file: %v", err)
	case len(data) > max:
		return nil, fmt.Errorf("is longer than %d bytes, the most %s may have", max, what)
	}
	return data, nil
}
