package broadsheet

import "testing"

func TestIDs(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b || !ValidID(a) || !ValidID(b) {
		t.Fatalf("NewID gave %q and %q", a, b)
	}
	for _, id := range []string{"", "../etc/passwd", "01JDQ7Z8X9K2M3N4P5Q6R7S8T", "01jdq7z8x9k2m3n4p5q6r7s8t9x", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", a + "0"} {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
}
