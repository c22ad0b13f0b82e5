// Package faultnet is the network side of the fakes' fault injection: a listener that can go away for a
// while, so that clients meet refused connections, as they do when a service is down, and then find the
// service back on the same address with everything it held.
package faultnet

import (
	"net"
	"sync"
	"time"
)

// Listener is a TCP listener with outages. Give it to an http.Server (or an httptest.Server) as its
// listener; Outage takes it down.
type Listener struct {
	addr string

	mu     sync.Mutex
	cur    net.Listener // nil while down
	up     chan struct{}
	until  time.Time
	timer  *time.Timer
	closed bool
	conns  map[*conn]struct{}
}

// Listen listens on a TCP address, such as 127.0.0.1:0.
func Listen(addr string) (*Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return Wrap(l), nil
}

// Wrap takes over an open TCP listener. Its address is kept across outages.
func Wrap(l net.Listener) *Listener {
	return &Listener{addr: l.Addr().String(), cur: l, conns: map[*conn]struct{}{}}
}

// Addr is the listening address, the same before, during and after an outage.
func (l *Listener) Addr() net.Addr {
	a, err := net.ResolveTCPAddr("tcp", l.addr)
	if err != nil {
		return &net.TCPAddr{}
	}
	return a
}

// Accept waits for the next connection; during an outage it waits for the listener to be back.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return nil, net.ErrClosed
		}
		cur, up := l.cur, l.up
		l.mu.Unlock()
		if cur == nil {
			<-up
			continue
		}
		c, err := cur.Accept()
		l.mu.Lock()
		if err != nil {
			if !l.closed && l.cur != cur {
				// Taken down by an outage while waiting.
				l.mu.Unlock()
				continue
			}
			l.mu.Unlock()
			return nil, err
		}
		if l.cur != cur || l.closed {
			// Accepted just as the outage began: it does not count.
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		tc := &conn{Conn: c, l: l}
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

// Close closes the listener for good.
func (l *Listener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.up != nil {
		close(l.up)
		l.up = nil
	}
	if l.cur != nil {
		return l.cur.Close()
	}
	return nil
}

// Outage takes the listener down for d: the port stops listening, so new connections are refused, and
// open connections are closed, so requests in flight get no answer. After d the listener listens on the
// same address again. An outage during an outage extends it to end d from now. It returns when the
// outage has begun.
func (l *Listener) Outage(d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return net.ErrClosed
	}
	if l.cur != nil {
		_ = l.cur.Close()
		l.cur = nil
		l.up = make(chan struct{})
		for c := range l.conns {
			_ = c.Conn.Close()
		}
	}
	l.until = time.Now().Add(d)
	if l.timer != nil {
		l.timer.Stop()
	}
	l.timer = time.AfterFunc(d, l.restore)
	return nil
}

// Down reports whether an outage is going on, and when it ends.
func (l *Listener) Down() (bool, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur == nil && !l.closed, l.until
}

// restore listens again. The port was ours a moment ago; should something else have taken it in
// between, it keeps trying for a while.
func (l *Listener) restore() {
	var ln net.Listener
	var err error
	for i := 0; i < 100; i++ {
		l.mu.Lock()
		if l.closed || l.cur != nil || time.Now().Before(l.until.Add(-time.Millisecond)) {
			// Closed, already back, or extended by a later outage (its timer restores).
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		if ln, err = net.Listen("tcp", l.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ln == nil {
		// The port is gone; Accept keeps waiting, and Close ends it.
		return
	}
	if l.closed || l.cur != nil {
		_ = ln.Close()
		return
	}
	l.cur = ln
	close(l.up)
	l.up = nil
}

type conn struct {
	net.Conn
	l    *Listener
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
