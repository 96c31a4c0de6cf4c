package io.sparkgpt.pipeline.pii;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PiiMaskerTest {
    @Test
    void masksAndCounts() {
        PiiMasker.Result r = new PiiMasker().mask("Write to jane.doe+news@example.co.uk or call +1 (415) 555-2671 "
                + "or 030 1234 5678; the server is 192.168.10.7 and 2001:0db8:85a3:0000:0000:8a2e:0370:7334.");
        assertEquals("Write to <EMAIL> or call <PHONE> or <PHONE>; the server is <IP> and <IP>.", r.text());
        assertEquals(1, r.emails());
        assertEquals(2, r.ips());
        assertEquals(2, r.phones());
    }

    @Test
    void leavesDatesVersionsAndNumbersAlone() {
        String t = "PostgreSQL 15.20 was released on 2025-08-14; version 1.2.3.4 is old; it costs 32,800 yen; "
                + "call 911; see RFC 2616 and ISBN 978-3-16-148410-0 in 1999.";
        PiiMasker.Result r = new PiiMasker().mask(t);
        assertEquals(0, r.emails() + r.phones(), r.text());
    }
}
