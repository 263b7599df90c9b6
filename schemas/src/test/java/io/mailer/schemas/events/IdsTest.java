package io.mailer.schemas.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void shouldReadBackTheRecipientIndexASendIdCarries() {
        for (int index : new int[] {0, 7, 999_999, Integer.MAX_VALUE}) {
            assertThat(Ids.recipientIndex(Ids.sendId("bat_01J-x", index), "bat_01J-x")).hasValue(index);
        }
    }

    @Test
    void shouldFindNoIndexInAnIdOfAnotherBatchOrWithoutANonNegativeNumber() {
        assertThat(Ids.recipientIndex("bat_2-5", "bat_1")).isEmpty();
        assertThat(Ids.recipientIndex("bat_1", "bat_1")).isEmpty();
        assertThat(Ids.recipientIndex("bat_1-", "bat_1")).isEmpty();
        assertThat(Ids.recipientIndex("bat_1--5", "bat_1")).isEmpty();
        assertThat(Ids.recipientIndex("bat_1-x", "bat_1")).isEmpty();
        assertThat(Ids.recipientIndex("bat_1-99999999999", "bat_1")).isEmpty();
        assertThat(Ids.recipientIndex(null, "bat_1")).isEqualTo(OptionalInt.empty());
    }
}
