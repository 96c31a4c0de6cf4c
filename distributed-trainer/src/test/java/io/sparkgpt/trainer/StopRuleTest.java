package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The direction a rule's name implies, an explicit prefix over it, and the spec that reads back as the same rule. */
class StopRuleTest {
    @Test
    void directionFromTheNameOrThePrefixAndTheSpecReadsBack() {
        assertFalse(StopRule.parse("val_loss", 0).higherIsBetter());
        assertTrue(StopRule.parse("val_accuracy", 0).higherIsBetter());
        assertFalse(StopRule.parse("min:val_kl", 0).higherIsBetter());
        assertTrue(StopRule.parse("max:val_loss", 0).higherIsBetter());
        for (String spec : new String[] {"val_loss", "val_accuracy", "val_reward", "min:val_kl", "max:val_loss"}) {
            StopRule r = StopRule.parse(spec, 3);
            assertEquals(spec, r.spec());
            assertEquals(r, StopRule.parse(r.spec(), 3));
        }
        // a redundant prefix is dropped: the name says it already
        assertEquals("val_accuracy", StopRule.parse("max:val_accuracy", 0).spec());
    }
}
