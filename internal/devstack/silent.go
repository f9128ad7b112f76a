package devstack

import (
	"net"
	"sync"
)

// SilentHost listens on 127.0.0.1, accepts every connection and never
// answers, as a hung git host or API does. It returns the address
// (host:port) and a function that closes the listener and every
// connection.
func SilentHost() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().String(), func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}, nil
}
