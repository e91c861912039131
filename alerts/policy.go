package alerts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrRefusedAddress is the error of a webhook whose address the
// AddressPolicy refuses (the receiver is never contacted).
var ErrRefusedAddress = errors.New("refused by the webhook address policy")

// AddressPolicy decides which IP addresses webhooks may reach. Webhook
// URLs are written by admins, but the answers and errors of deliveries
// are read by auditors too, and a server inside the company network must
// not become a way to probe it: by default only public (globally routed)
// unicast addresses are allowed. Refused are loopback, unspecified,
// private (RFC 1918, IPv6 unique local), shared/CGNAT (100.64.0.0/10),
// link-local, multicast, broadcast, reserved and documentation ranges,
// and cloud metadata addresses. Allow opens ranges again (an operator's
// internal receivers); a metadata address (169.254.169.254,
// fd00:ec2::254, 100.100.100.200) stays refused unless Allow holds it as a
// single address (/32 or /128).
//
// The check is made when a connection is dialled, on the address DNS
// resolved to, so a name that resolves (or later rebinds) to an internal
// address is refused too.
type AddressPolicy struct {
	Allow []netip.Prefix
}

// ParseAllowList reads a comma-separated list of CIDR ranges or single
// addresses ("127.0.0.0/8,10.1.0.0/16,192.0.2.7").
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or a CIDR range", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR range", f)
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%q: an IPv4-mapped range must be /96 or longer", f)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// refusedRanges are not public unicast destinations.
var refusedRanges = mustPrefixes(
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (CGNAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local (cloud metadata)
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, broadcast
	"::/128",          // unspecified
	"::1/128",         // loopback
	"::/96",           // IPv4-compatible (deprecated)
	"100::/64",        // discard
	"2001:db8::/32",   // documentation
	"2001:2::/48",     // benchmarking
	"2001:10::/28",    // ORCHID
	"2001:20::/28",    // ORCHIDv2
	"fc00::/7",        // unique local (fd00:ec2::254, AWS metadata)
	"fe80::/10",       // link-local
	"fec0::/10",       // site-local (deprecated)
	"ff00::/8",        // multicast
	"64:ff9b:1::/48",  // local-use NAT64
	"3fff::/20",       // documentation
	"5f00::/16",       // SRv6 SIDs
	"2001:0000::/32",  // Teredo (embeds an arbitrary IPv4 address)
	"::ffff:0:0:0/96", // IPv4-translated
)

// metadataAddrs are cloud instance metadata services: refused even inside
// an allowed range, unless allowed one by one.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack…
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// Allowed reports whether a webhook may connect to ip.
func (p *AddressPolicy) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return false
	}
	// NAT64 (well-known prefix) and 6to4 addresses reach the IPv4
	// address they embed.
	if b := ip.As16(); nat64.Contains(ip) && !p.Allowed(netip.AddrFrom4([4]byte(b[12:]))) ||
		sixTo4.Contains(ip) && !p.Allowed(netip.AddrFrom4([4]byte(b[2:6]))) {
		return false
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return p != nil && p.allowsExactly(ip)
		}
	}
	if p != nil {
		for _, a := range p.Allow {
			if a.Contains(ip) {
				return true
			}
		}
	}
	for _, r := range refusedRanges {
		if r.Contains(ip) {
			return false
		}
	}
	return true
}

func (p *AddressPolicy) allowsExactly(ip netip.Addr) bool {
	for _, a := range p.Allow {
		if a.Bits() == ip.BitLen() && a.Addr() == ip {
			return true
		}
	}
	return false
}

// refusedError carries the refused address for logs on the server (it is
// not recorded in the delivery log).
type refusedError struct{ addr string }

func (e refusedError) Error() string { return ErrRefusedAddress.Error() + ": " + e.addr }
func (e refusedError) Unwrap() error { return ErrRefusedAddress }

// control is a net.Dialer Control function: it runs after DNS resolution,
// before the connection is made, with the address actually dialled.
func (p *AddressPolicy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refusedError{address}
	}
	if !p.Allowed(ap.Addr()) {
		return refusedError{ap.Addr().String()}
	}
	return nil
}

// CheckURL refuses a webhook URL whose host is an IP address literal (or
// "localhost") the policy refuses; host names are checked when dialled.
func (p *AddressPolicy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		if !p.Allowed(netip.MustParseAddr("127.0.0.1")) && !p.Allowed(netip.IPv6Loopback()) {
			return ErrRefusedAddress
		}
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		// Not a literal the standard way; a legacy form ("127.1",
		// "2130706433", "0x7f.1") would be read as an address by some
		// resolvers: refuse what looks numeric.
		if legacyNumeric(host) {
			return ErrRefusedAddress
		}
		return nil
	}
	if !p.Allowed(ip) {
		return ErrRefusedAddress
	}
	return nil
}

// legacyNumeric reports whether host is made only of digits, dots and
// hex prefixes: inet_aton's shorthand forms of an IPv4 address.
func legacyNumeric(host string) bool {
	if host == "" {
		return false
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" {
			return false
		}
		digits := strings.TrimPrefix(strings.TrimPrefix(l, "0x"), "0X")
		for _, c := range digits {
			if !(c >= '0' && c <= '9' || l != digits && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
				return false
			}
		}
	}
	return true
}

// NewTransport returns an HTTP transport whose connections are checked
// against the policy when dialled (after DNS resolution). It uses no
// proxy: through a proxy the check would see the proxy's address, not the
// receiver's.
func (p *AddressPolicy) NewTransport() *http.Transport { return newTransport(p.control) }

func newTransport(control func(network, address string, c syscall.RawConn) error) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: control}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
}

// errorClass is what the delivery log says of a failed connection: a
// short, fixed text. The error itself (addresses a name resolved to,
// what a receiver answered) stays out of the log that admins and
// auditors read.
func errorClass(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invalidErr x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, ErrRefusedAddress):
		return ErrRefusedAddress.Error()
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "host name not found"
		}
		return "host name lookup failed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &invalidErr):
		return "TLS certificate not valid"
	case errors.As(err, &recErr), strings.Contains(err.Error(), "tls: "):
		return "TLS handshake failed"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		return "connection closed by the receiver"
	}
	return "network error"
}
