// chaosproxy: a fault-injecting HTTPS reverse proxy between a Kubernetes client (shop-operator)
// and kube-apiserver, for the reliability tests (tests/e2e/operator/chaos.sh). A test tool, not
// part of the product.
//
// It serves TLS with a certificate it makes at start (written to -cert-out, for the client's
// certificate-authority) and forwards every request upstream with the client's own credentials
// (its Authorization header), so the API server sees the client's identity. Faults, each drawn
// per request:
//
//	-p500 -p503     answer 500 InternalError / 503 ServiceUnavailable (a Status), unsent upstream
//	-p429           answer 429 TooManyRequests with Retry-After: 1, unsent upstream
//	-preset         send upstream, then cut the connection halfway through the response (TCP RST):
//	                the request took effect, the client never learns how
//	watch streams   cut after a random -watch-min..-watch-max; with -p410, first an ERROR event
//	                with code 410 (Expired) as the API server sends for a resourceVersion too old
//
// Counts of what it did are written to -stats-out (JSON) every second and at exit.
package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	mrand "math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type stats struct {
	Requests   atomic.Int64
	Passed     atomic.Int64
	Injected   atomic.Int64
	Unavail    atomic.Int64
	Throttled  atomic.Int64
	Resets     atomic.Int64
	Watches    atomic.Int64
	WatchCuts  atomic.Int64
	Watch410s  atomic.Int64
	UpstreamKO atomic.Int64
}

func (s *stats) snapshot() map[string]int64 {
	return map[string]int64{
		"requests": s.Requests.Load(), "passed": s.Passed.Load(), "injected500": s.Injected.Load(),
		"injected503": s.Unavail.Load(), "injected429": s.Throttled.Load(), "resets": s.Resets.Load(),
		"watches": s.Watches.Load(), "watchCuts": s.WatchCuts.Load(), "watch410s": s.Watch410s.Load(),
		"upstreamErrors": s.UpstreamKO.Load(),
	}
}

type proxy struct {
	upstream           string
	client             *http.Client
	p500, p503, p429   float64
	pReset, p410       float64
	watchMin, watchMax time.Duration
	mu                 sync.Mutex
	rnd                *mrand.Rand
	st                 stats
}

func (p *proxy) draw() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.Float64()
}

func (p *proxy) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return lo + time.Duration(p.rnd.Int63n(int64(hi-lo)))
}

func status(w http.ResponseWriter, code int, reason string, extra map[string]string) {
	for k, v := range extra {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"chaosproxy: injected %d","reason":%q,"code":%d}`,
		code, reason, code)
}

var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (p *proxy) forward(r *http.Request) (*http.Response, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), r.Body)
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	out.ContentLength = r.ContentLength
	return p.client.Do(out)
}

func copyHeaders(w http.ResponseWriter, resp *http.Response) {
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, h := range hopHeaders {
		w.Header().Del(h)
	}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.st.Requests.Add(1)
	q := r.URL.Query().Get("watch")
	if q == "true" || q == "1" {
		p.watch(w, r)
		return
	}
	x := p.draw()
	switch {
	case x < p.p500:
		p.st.Injected.Add(1)
		status(w, 500, "InternalError", nil)
		return
	case x < p.p500+p.p503:
		p.st.Unavail.Add(1)
		status(w, 503, "ServiceUnavailable", nil)
		return
	case x < p.p500+p.p503+p.p429:
		p.st.Throttled.Add(1)
		status(w, 429, "TooManyRequests", map[string]string{"Retry-After": "1"})
		return
	}
	reset := x < p.p500+p.p503+p.p429+p.pReset
	resp, err := p.forward(r)
	if err != nil {
		p.st.UpstreamKO.Add(1)
		status(w, 502, "BadGateway", nil)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.st.UpstreamKO.Add(1)
		status(w, 502, "BadGateway", nil)
		return
	}
	if reset {
		p.st.Resets.Add(1)
		p.cut(w, resp, body)
		return
	}
	p.st.Passed.Add(1)
	copyHeaders(w, resp)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// cut sends the status line, the headers and half the body, then resets the connection.
func (p *proxy) cut(w http.ResponseWriter, resp *http.Response, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		resp.StatusCode, http.StatusText(resp.StatusCode), resp.Header.Get("Content-Type"), len(body))
	buf.Write(head.Bytes())
	buf.Write(body[:len(body)/2])
	buf.Flush()
	if tc, ok := conn.(*tls.Conn); ok {
		if raw, ok := tc.NetConn().(*net.TCPConn); ok {
			raw.SetLinger(0) // close sends RST, not FIN
		}
	}
	conn.Close()
}

func (p *proxy) watch(w http.ResponseWriter, r *http.Request) {
	p.st.Watches.Add(1)
	resp, err := p.forward(r)
	if err != nil {
		p.st.UpstreamKO.Add(1)
		status(w, 502, "BadGateway", nil)
		return
	}
	defer resp.Body.Close()
	copyHeaders(w, resp)
	w.WriteHeader(resp.StatusCode)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(w, resp.Body)
		return
	}
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		rd := bufio.NewReaderSize(resp.Body, 64<<10)
		for {
			line, err := rd.ReadBytes('\n')
			if len(line) > 0 {
				select {
				case lines <- line:
				case <-r.Context().Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	deadline := time.NewTimer(p.between(p.watchMin, p.watchMax))
	defer deadline.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return // the API server ended the watch (its own timeout): end it too
			}
			if _, err := w.Write(line); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		case <-deadline.C:
			p.st.WatchCuts.Add(1)
			if p.draw() < p.p410 {
				p.st.Watch410s.Add(1)
				fmt.Fprint(w, `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"chaosproxy: injected: too old resource version","reason":"Expired","code":410}}`+"\n")
				if flusher != nil {
					flusher.Flush()
				}
				return
			}
			panic(http.ErrAbortHandler) // the stream ends mid-flight, without its last chunk
		case <-r.Context().Done():
			return
		}
	}
}

func selfSigned(certOut string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "chaosproxy"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certOut, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func main() {
	var (
		listen   = flag.String("listen", "127.0.0.1:0", "address to listen on")
		upstream = flag.String("upstream", "", "kube-apiserver URL, e.g. https://127.0.0.1:6443")
		caFile   = flag.String("upstream-ca", "", "CA bundle that signed the API server's certificate")
		certOut  = flag.String("cert-out", "", "write the proxy's serving certificate (PEM) here")
		addrOut  = flag.String("addr-out", "", "write the address it listens on here")
		statsOut = flag.String("stats-out", "", "write counts (JSON) here every second and at exit")
		seed     = flag.Int64("seed", time.Now().UnixNano(), "random seed")
		pr       proxy
	)
	flag.Float64Var(&pr.p500, "p500", 0, "fraction of requests answered 500")
	flag.Float64Var(&pr.p503, "p503", 0, "fraction of requests answered 503")
	flag.Float64Var(&pr.p429, "p429", 0, "fraction of requests answered 429 with Retry-After: 1")
	flag.Float64Var(&pr.pReset, "preset", 0, "fraction of requests sent upstream whose answer is cut by a TCP reset")
	flag.Float64Var(&pr.p410, "p410", 0, "fraction of cut watch streams that first get an ERROR event with code 410")
	flag.DurationVar(&pr.watchMin, "watch-min", 5*time.Second, "a watch stream is cut after at least this long")
	flag.DurationVar(&pr.watchMax, "watch-max", 30*time.Second, "and at most this long")
	flag.Parse()
	if *upstream == "" || *caFile == "" || *certOut == "" || *addrOut == "" {
		log.Fatal("chaosproxy: -upstream, -upstream-ca, -cert-out and -addr-out are required")
	}
	ca, err := os.ReadFile(*caFile)
	if err != nil {
		log.Fatalf("chaosproxy: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		log.Fatalf("chaosproxy: no certificate in %s", *caFile)
	}
	pr.upstream = *upstream
	pr.rnd = mrand.New(mrand.NewSource(*seed))
	pr.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true, // bytes pass through as the API server sent them
		ForceAttemptHTTP2:   false,
	}}
	cert, err := selfSigned(*certOut)
	if err != nil {
		log.Fatalf("chaosproxy: %v", err)
	}
	ln, err := tls.Listen("tcp", *listen, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		log.Fatalf("chaosproxy: %v", err)
	}
	if err := os.WriteFile(*addrOut, []byte(ln.Addr().String()), 0o644); err != nil {
		log.Fatalf("chaosproxy: %v", err)
	}
	writeStats := func() {
		if *statsOut == "" {
			return
		}
		b, _ := json.Marshal(pr.st.snapshot())
		tmp := *statsOut + ".tmp"
		if os.WriteFile(tmp, b, 0o644) == nil {
			os.Rename(tmp, *statsOut)
		}
	}
	go func() {
		for range time.Tick(time.Second) {
			writeStats()
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		writeStats()
		os.Exit(0)
	}()
	srv := &http.Server{Handler: &pr, ErrorLog: log.New(io.Discard, "", 0)}
	log.Fatal(srv.Serve(ln))
}
