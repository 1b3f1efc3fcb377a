package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxBody bounds what verify reads of any answer.
const maxBody = 4 << 20

// api is a read-only client of the Kubernetes REST API.
type api struct {
	base   string
	client *http.Client
	redact redactor
}

// apiError is an answer other than 2xx, with the message of the Kubernetes Status
// (or the first line of the body) it carried.
type apiError struct {
	Code    int
	Message string
}

func (e *apiError) Error() string {
	switch e.Code {
	case http.StatusUnauthorized:
		return "401 Unauthorized: the API server refused the kubeconfig's credentials"
	case http.StatusNotFound:
		return "404 Not Found"
	}
	return fmt.Sprintf("%d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

// get fetches path and returns the body of a 2xx answer, else an *apiError. Errors
// never carry the request's credentials (net/http does not print headers) and are
// redacted besides.
func (a *api) get(ctx context.Context, path, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, errors.New(a.redact.redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, errors.New(a.redact.redact(err.Error()))
	}
	if resp.StatusCode/100 != 2 {
		var st struct {
			Message string `json:"message"`
		}
		msg := firstLine(string(body))
		if json.Unmarshal(body, &st) == nil && st.Message != "" {
			msg = clip(st.Message, 200)
		}
		return nil, &apiError{Code: resp.StatusCode, Message: a.redact.redact(msg)}
	}
	return body, nil
}

// getJSON fetches path and decodes it into v.
func (a *api) getJSON(ctx context.Context, path string, v any) error {
	body, err := a.get(ctx, path, "application/json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("the answer to %s is not the expected JSON", path)
	}
	return nil
}

// serviceProxy is the API server's proxy path to a service's named port.
func serviceProxy(namespace, service, port, path string) string {
	return fmt.Sprintf("/api/v1/namespaces/%s/services/%s:%s/proxy%s", namespace, service, port, path)
}

// The Kubernetes objects verify reads, only the fields it uses.

type condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

type containerState struct {
	Waiting *struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"waiting"`
	Running    *struct{} `json:"running"`
	Terminated *struct {
		ExitCode int    `json:"exitCode"`
		Reason   string `json:"reason"`
	} `json:"terminated"`
}

type containerStatus struct {
	Name      string         `json:"name"`
	Ready     bool           `json:"ready"`
	State     containerState `json:"state"`
	LastState containerState `json:"lastState"`
}

type pod struct {
	Metadata struct {
		Name            string            `json:"name"`
		Labels          map[string]string `json:"labels"`
		OwnerReferences []struct {
			Kind string `json:"kind"`
		} `json:"ownerReferences"`
	} `json:"metadata"`
	Status struct {
		Phase                 string            `json:"phase"`
		Conditions            []condition       `json:"conditions"`
		InitContainerStatuses []containerStatus `json:"initContainerStatuses"`
		ContainerStatuses     []containerStatus `json:"containerStatuses"`
	} `json:"status"`
}

type podList struct {
	Items []pod `json:"items"`
}

type pvcList struct {
	Items []struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			StorageClassName *string `json:"storageClassName"`
		} `json:"spec"`
		Status struct {
			Phase string `json:"phase"`
		} `json:"status"`
	} `json:"items"`
}

type deployment struct {
	Spec struct {
		Replicas *int `json:"replicas"`
	} `json:"spec"`
	Status struct {
		AvailableReplicas int         `json:"availableReplicas"`
		Conditions        []condition `json:"conditions"`
	} `json:"status"`
}

// conditionOf returns the condition of that type, or nil.
func conditionOf(cs []condition, typ string) *condition {
	for i := range cs {
		if cs[i].Type == typ {
			return &cs[i]
		}
	}
	return nil
}
