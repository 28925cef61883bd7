package io.switchboard.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

@DisplayName("the shared YAML reader keeps lines")
class YamlLinesTest {
  @Test
  void everyKeyAndValueKnowsItsLineAndRepeatedKeysAreKept() throws Exception {
    Node root = YamlLines.compose("# comment\nqueues:\n  - id: a\nrules: []\nqueues: again\n");
    assertThat(root).isInstanceOf(MappingNode.class);
    var entries = YamlLines.entries((MappingNode) root);
    assertThat(entries).extracting(YamlLines.Entry::key).containsExactly("queues", "rules", "queues");
    assertThat(entries).extracting(YamlLines.Entry::line).containsExactly(2, 4, 5);
    assertThat(YamlLines.line(entries.get(0).value())).isEqualTo(3);
  }

  @Test
  void aSyntaxErrorNamesItsLine() {
    assertThatThrownBy(() -> YamlLines.compose("a: 1\nb: [1, 2\nc: 3\n"))
        .isInstanceOfSatisfying(YamlLines.SyntaxError.class, e -> assertThat(e.line()).isGreaterThanOrEqualTo(2));
  }

  @Test
  void anEmptyDocumentIsNullAndAMappingKeyThatIsNoWordHasNoText() throws Exception {
    assertThat(YamlLines.compose("")).isNull();
    assertThat(YamlLines.compose("# only a comment\n")).isNull();
    var entries = YamlLines.entries((MappingNode) YamlLines.compose("? [a, b]\n: 1\n"));
    assertThat(entries).singleElement().satisfies(e -> assertThat(e.key()).isNull());
  }

  @Test
  void tagsBuildNoObjectsAndAliasBombsAreRefused() {
    assertThatThrownBy(() -> YamlLines.compose(bomb())).isInstanceOf(YamlLines.SyntaxError.class);
  }

  private static String bomb() {
    StringBuilder b = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    String prev = "a";
    for (int i = 0; i < 10; i++) {
      String name = "l" + i;
      b.append(name).append(": &").append(name).append(" [");
      for (int j = 0; j < 9; j++) {
        b.append(j == 0 ? "" : ", ").append('*').append(prev);
      }
      b.append("]\n");
      prev = name;
    }
    return b.toString();
  }
}
