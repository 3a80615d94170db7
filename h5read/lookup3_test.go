package h5read

import "testing"

// Known values from Bob Jenkins' lookup3.c driver5().
func TestLookup3(t *testing.T) {
	tests := []struct {
		in      string
		initval uint32
		want    uint32
	}{
		{"", 0, 0xdeadbeef},
		{"", 0xdeadbeef, 0xbd5b7dde},
		{"Four score and seven years ago", 0, 0x17770551},
		{"Four score and seven years ago", 1, 0xcd628161},
	}
	for _, tt := range tests {
		if got := lookup3([]byte(tt.in), tt.initval); got != tt.want {
			t.Errorf("lookup3(%q, %#x) = %#08x, want %#08x", tt.in, tt.initval, got, tt.want)
		}
	}
}
