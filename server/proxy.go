package server

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Behind a reverse proxy every request comes from the proxy's address, and
// the client's is in X-Forwarded-For — a header anyone can send. It is
// believed only from the proxies the administrator lists
// (Config.TrustedProxies); so is X-Forwarded-Proto.

// localClientIP is the Locals key of the address requestContext works out.
const localClientIP = "client_ip"

// proxies are the trusted reverse proxies.
type proxies []netip.Prefix

// parseTrustedProxies reads addresses ("192.0.2.10", "::1") and CIDRs
// ("10.0.0.0/8"); an entry that is neither is refused, so a typo does not
// silently leave the site trusting nobody (or everybody).
func parseTrustedProxies(entries []string) (proxies, error) {
	var p proxies
	for _, entry := range entries {
		entry = strings.TrimSpace(entry)
		if strings.Contains(entry, "/") {
			prefix, err := netip.ParsePrefix(entry)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not a CIDR range (want e.g. 10.0.0.0/8 or fd00::/8)", entry)
			}
			p = append(p, prefix.Masked())
			continue
		}
		addr, err := netip.ParseAddr(entry)
		if err != nil || addr.Zone() != "" {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address (want e.g. 127.0.0.1 or ::1)", entry)
		}
		addr = addr.Unmap()
		p = append(p, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return p, nil
}

// fiberRanges is the list for Fiber's TrustedProxies, so that c.Protocol()
// and c.Secure() believe the same peers as clientIP. Every entry is a range:
// Fiber compares single addresses as strings, ranges by value.
func (p proxies) fiberRanges() []string {
	ranges := make([]string, len(p))
	for i, prefix := range p {
		ranges[i] = prefix.String()
	}
	return ranges
}

func (p proxies) trusts(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, prefix := range p {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// client is the address a request from peer comes from, given the values
// of its X-Forwarded-For headers. From a trusted peer it is the right-most
// address of the chain that is not itself a trusted proxy: each trusted hop
// appends the address it received from, and only what lies left of the
// first untrusted one may be made up. When the chain is all trusted it is
// its first address; when it breaks (a value that is not an address), the
// last trusted hop before the break, so made-up text cannot pick a key.
func (p proxies) client(peer netip.Addr, forwardedFor [][]byte) netip.Addr {
	client := peer.Unmap()
	if !p.trusts(client) {
		return client
	}
	hops := bytes.Split(bytes.Join(forwardedFor, []byte(",")), []byte(","))
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(string(bytes.TrimSpace(hops[i])))
		if !ok {
			return client
		}
		client = hop
		if !p.trusts(hop) {
			return hop
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:443"), as some proxies write it.
func parseHop(s string) (netip.Addr, bool) {
	if addr, err := netip.ParseAddr(s); err == nil && addr.Zone() == "" {
		return addr.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// peerAddr is the address of the connection's other end.
func peerAddr(c *fiber.Ctx) netip.Addr {
	addr, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	return addr.Unmap()
}

// resolveClientIP works out the request's client address once, for
// clientIP to return.
func (s *Server) resolveClientIP(c *fiber.Ctx) string {
	ip := s.proxies.client(peerAddr(c), c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)).String()
	c.Locals(localClientIP, ip)
	return ip
}

// clientIP is the address of the client making the request, behind the
// trusted proxies: what rate limits count, visits and contributions record.
func clientIP(c *fiber.Ctx) string {
	ip, _ := c.Locals(localClientIP).(string)
	return ip
}

// secureRequest tells whether the browser reached the site over https: the
// base URL says so, or a trusted proxy forwarded an https request. It
// decides Secure cookies and HSTS.
func (s *Server) secureRequest(c *fiber.Ctx) bool {
	return s.secure || c.Secure()
}
