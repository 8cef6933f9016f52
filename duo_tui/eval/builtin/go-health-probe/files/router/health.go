package router

import (
	"net/http"
	"time"
)

// Backend is one upstream server.
type Backend struct {
	URL     string
	Healthy bool
}

var probeClient = &http.Client{Timeout: 2 * time.Second}

// Probe marks each backend healthy when its /healthz answers 200.
func Probe(backends []*Backend) {
	for _, b := range backends {
		resp, err := probeClient.Get(b.URL + "/healthz")
		if err != nil {
			b.Healthy = false
			continue
		}
		b.Healthy = resp.StatusCode == http.StatusOK
	}
}
