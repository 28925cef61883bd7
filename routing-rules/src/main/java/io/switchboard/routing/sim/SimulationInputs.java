package io.switchboard.routing.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.routing.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the simulator's inputs from text: arrivals as JSON Lines, the roster as YAML. Stateless and thread-safe; the
 * caller does the file I/O.
 */
public final class SimulationInputs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ARRIVAL_FIELDS =
      Set.of("at", "channel", "attributes", "customerTier", "language", "subject", "handleSeconds", "patienceSeconds");
  private static final Set<String> AGENT_FIELDS =
      Set.of("id", "username", "displayName", "role", "skills", "queues", "capacity", "exclusive");

  private SimulationInputs() {}

  /**
   * One arrival per line: {@code {"at":"PT12S" or 12, "channel":"chat", "attributes":{...}, "customerTier":"gold",
   * "language":"en", "subject":"...", "handleSeconds":240, "patienceSeconds":90}}. Blank lines and lines starting with
   * {@code //} or {@code #} are skipped.
   *
   * @throws SimulationInputException naming the file, line and field of the first bad line
   */
  public static List<Arrival> arrivals(String file, String text) throws SimulationInputException {
    List<Arrival> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("//") || line.startsWith("#")) {
        continue;
      }
      String where = file + ":" + (i + 1) + ": ";
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new SimulationInputException(where + "not valid JSON: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        throw new SimulationInputException(where + "each line must be one JSON object");
      }
      try {
        out.add(arrival(node));
      } catch (IllegalArgumentException e) {
        throw new SimulationInputException(where + e.getMessage());
      }
    }
    return out;
  }

  private static Arrival arrival(JsonNode node) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ARRIVAL_FIELDS.contains(f)) {
        throw new IllegalArgumentException("unknown field '" + f + "' (fields: " + String.join(", ", ARRIVAL_FIELDS.stream().sorted().toList()) + ")");
      }
    }
    JsonNode at = node.get("at");
    if (at == null || at.isNull()) {
      throw new IllegalArgumentException("'at' is missing (seconds from the start, or a duration such as \"PT12S\")");
    }
    Duration when;
    if (at.isNumber()) {
      when = seconds(at.asDouble(), "at");
    } else if (at.isTextual()) {
      when = Durations.parse(at.asText());
    } else {
      throw new IllegalArgumentException("'at' must be seconds or a duration such as \"PT12S\"");
    }
    String channel = text(node, "channel");
    if (channel == null) {
      throw new IllegalArgumentException("'channel' is missing (voice, email, chat or social)");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode attrs = node.get("attributes");
    if (attrs != null && !attrs.isNull()) {
      if (!attrs.isObject()) {
        throw new IllegalArgumentException("'attributes' must be an object of names to values");
      }
      for (Map.Entry<String, JsonNode> e : attrs.properties()) {
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw new IllegalArgumentException("attribute '" + e.getKey() + "' must be text or a number");
        }
        attributes.put(e.getKey(), e.getValue().asText());
      }
    }
    return new Arrival(
        when,
        channel,
        attributes,
        text(node, "customerTier"),
        text(node, "language"),
        text(node, "subject"),
        optionalSeconds(node, "handleSeconds"),
        optionalSeconds(node, "patienceSeconds"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' must be text");
    }
    return v.asText();
  }

  private static Duration optionalSeconds(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("'" + field + "' must be a number of seconds");
    }
    return seconds(v.asDouble(), field);
  }

  private static Duration seconds(double s, String field) {
    if (!(s >= 0) || s > 1e9) {
      throw new IllegalArgumentException("'" + field + "' must be from 0 to 1e9 seconds, not " + s);
    }
    return Duration.ofMillis(Math.round(s * 1000));
  }

  /**
   * The roster: {@code agents:} a list of {@code {id (or username), skills: {skill: level}, queues: [..] (optional,
   * default every queue), capacity: {channel: n} (optional, defaults voice 1, chat 3, email 5, social 3), exclusive:
   * [voice] (optional)}}; {@code displayName} and {@code role} are allowed and ignored, so config/demo/agents.yaml
   * entries can be copied.
   *
   * @throws SimulationInputException naming the file and entry of the first problem
   */
  public static List<SimAgent> roster(String file, String text) throws SimulationInputException {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new SimulationInputException(file + ": not valid YAML: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("agents") instanceof List<?> list)) {
      throw new SimulationInputException(file + ": expected 'agents:' with a list of agents");
    }
    for (Object k : top.keySet()) {
      if (!"agents".equals(k)) {
        throw new SimulationInputException(file + ": unknown key '" + k + "' (expected agents)");
      }
    }
    List<SimAgent> agents = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = file + ": agents[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> entry)) {
        throw new SimulationInputException(where + ": an agent must be a mapping");
      }
      for (Object k : entry.keySet()) {
        if (!AGENT_FIELDS.contains(String.valueOf(k))) {
          throw new SimulationInputException(where + ": unknown key '" + k + "' (keys: id, skills, queues, capacity, exclusive)");
        }
      }
      Object id = entry.get("id") != null ? entry.get("id") : entry.get("username");
      if (id == null) {
        throw new SimulationInputException(where + ": an agent needs an id");
      }
      if (!ids.add(String.valueOf(id))) {
        throw new SimulationInputException(where + ": duplicate agent id '" + id + "'");
      }
      where = file + ": agent " + id;
      Map<String, Integer> skills = levels(entry.get("skills"), where + ".skills", 1, 5);
      Map<String, Integer> capacity = entry.get("capacity") == null ? null : levels(entry.get("capacity"), where + ".capacity", 0, 1000);
      if (capacity != null) {
        for (String channel : capacity.keySet()) {
          if (!Arrival.CHANNELS.contains(channel)) {
            throw new SimulationInputException(where + ".capacity: unknown channel '" + channel + "' (voice, email, chat or social)");
          }
        }
      }
      Set<String> queues = names(entry.get("queues"), where + ".queues");
      Set<String> exclusive = entry.get("exclusive") == null ? null : names(entry.get("exclusive"), where + ".exclusive");
      agents.add(new SimAgent(String.valueOf(id), skills, queues, capacity, exclusive));
    }
    return agents;
  }

  private static Map<String, Integer> levels(Object value, String where, int min, int max) throws SimulationInputException {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new SimulationInputException(where + ": expected a mapping of names to numbers");
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof Integer level) || level < min || level > max) {
        throw new SimulationInputException(where + "." + e.getKey() + ": expected a whole number from " + min + " to " + max);
      }
      out.put(String.valueOf(e.getKey()), level);
    }
    return out;
  }

  private static Set<String> names(Object value, String where) throws SimulationInputException {
    Set<String> out = new LinkedHashSet<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof List<?> list)) {
      throw new SimulationInputException(where + ": expected a list");
    }
    for (Object o : list) {
      out.add(String.valueOf(o));
    }
    return out;
  }
}
