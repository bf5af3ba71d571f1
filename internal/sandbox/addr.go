package sandbox

import (
	"context"
	"fmt"
	"net"
	"time"
)

// DefaultAddr is where the chat page is served unless told otherwise.
const DefaultAddr = "127.0.0.1:8088"

// CheckAddr makes sure that a listen address (host:port) is reachable from
// this machine only: its host must be a loopback address (127.0.0.0/8,
// ::1) or a name that resolves to loopback addresses only. The sandbox has
// no passwords — whoever reaches the page acts as anyone — so an empty
// host, 0.0.0.0, a LAN or a public address is refused.
func CheckAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: bad address %q: %v (want host:port, e.g. %s)", addr, err, DefaultAddr)
	}
	refuse := func(why string) error {
		return fmt.Errorf("sandbox: refusing to listen on %q: %s; the sandbox has no passwords, so it listens on loopback only (e.g. %s)", addr, why, DefaultAddr)
	}
	if host == "" {
		return refuse("an empty host means every network interface")
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsUnspecified() {
			return refuse(host + " means every network interface")
		}
		if !ip.IsLoopback() {
			return refuse(host + " is not a loopback address")
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return refuse("cannot resolve " + host + ": " + err.Error())
	}
	if len(ips) == 0 {
		return refuse(host + " resolves to no address")
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return refuse(host + " resolves to " + ip.IP.String() + ", which is not a loopback address")
		}
	}
	return nil
}

// Listen checks addr with CheckAddr and listens on it.
func Listen(addr string) (net.Listener, error) {
	if err := CheckAddr(addr); err != nil {
		return nil, err
	}
	return net.Listen("tcp", addr)
}

// loopbackHost reports whether the Host header of a request names this
// machine. Checking it keeps a web page from elsewhere from reaching the
// API through a DNS name it rebinds to 127.0.0.1.
func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
