package io.switchboard.channel.voice;

import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.spi.Surveys;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The post-call satisfaction question (docs/voice.md "Satisfaction survey after the call"): once the agent has hung
 * up, a caller whose queue asks for a rating on the voice channel ({@link Surveys#invite} with {@code voice}) hears the
 * question and presses 1 to 5. The first valid key is stored ({@link Surveys#answer}) and every later key is ignored;
 * any other key, or none within the timeout, gets one retry and then the call ends with nothing stored; a caller
 * hanging up stores nothing. The prompts and the time to press a key are the IVR file's {@code survey} section
 * ({@link Ivr.Survey}; stock Asterisk sounds by default).
 */
final class PostCallSurvey {
  private static final Logger log = LoggerFactory.getLogger(PostCallSurvey.class);

  /** The default question's sounds ("press" "one" … "five", a beep first so the caller knows the call goes on). */
  static final List<String> QUESTION = names(Ivr.Survey.DEFAULTS.question());
  static final List<String> THANKS = names(Ivr.Survey.DEFAULTS.thanks());
  /** Every key stops the question (so a wrong key is heard as wrong at once). */
  static final String KEYS = "0123456789*#";

  private final Surveys surveys;
  private final Ivr.Survey config;

  /** The default prompts, {@code timeout} to press a key. */
  PostCallSurvey(Surveys surveys, Duration timeout) {
    this(surveys, new Ivr.Survey(Ivr.Survey.DEFAULTS.question(), timeout, Ivr.Survey.DEFAULTS.invalid(),
        Ivr.Survey.DEFAULTS.thanks(), Ivr.Survey.DEFAULTS.goodbye()));
  }

  PostCallSurvey(Surveys surveys, Ivr.Survey config) {
    this.surveys = surveys;
    this.config = config;
  }

  private static List<String> names(List<Ivr.Prompt> prompts) {
    return prompts.stream().map(p -> ((Ivr.Prompt.Sound) p).name()).toList();
  }

  /**
   * Puts the question to the caller of {@code interaction} if the hub asks for it. Returns the rating stored, 0 when
   * none (not surveyed, no valid key, refused by the hub, or the caller hung up). Never throws for a hang-up.
   */
  int run(InteractionId interaction, AgiChannel channel) {
    try {
      channel.getChannelStatus(); // a caller who hung up first is not surveyed (and no survey is opened)
      Optional<Surveys.Invitation> invitation;
      try {
        invitation = CallFlows.await(surveys.invite(interaction, "voice"));
      } catch (Exception e) {
        log.atWarn().addKeyValue("interactionId", interaction).addKeyValue("error", e.toString())
            .log("could not open the call's survey; no question put");
        return 0;
      }
      if (invitation.isEmpty()) {
        return 0;
      }
      for (int attempt = 0; attempt < 2; attempt++) {
        char key = CallFlows.play(channel, config.question(), KEYS);
        if (key == 0) {
          key = channel.waitForDigit((int) config.timeout().toMillis());
        }
        if (key >= '1' && key <= '5') {
          return store(interaction, key - '0', channel);
        }
        log.atInfo().addKeyValue("interactionId", interaction).addKeyValue("key", key == 0 ? "none" : String.valueOf(key))
            .addKeyValue("attempt", attempt + 1).log("no valid survey key");
        if (attempt == 0) {
          CallFlows.play(channel, config.invalid(), "");
        }
      }
      CallFlows.play(channel, config.goodbye(), "");
      return 0;
    } catch (AgiHangupException e) {
      log.atInfo().addKeyValue("interactionId", interaction).log("the caller hung up before rating the call");
      return 0;
    } catch (AgiException | RuntimeException e) {
      log.atWarn().addKeyValue("interactionId", interaction).addKeyValue("error", e.toString()).log("survey step failed");
      return 0;
    }
  }

  private int store(InteractionId interaction, int rating, AgiChannel channel) throws AgiException {
    try {
      CallFlows.await(surveys.answer(interaction, rating, null));
    } catch (ConflictException e) {
      log.atInfo().addKeyValue("interactionId", interaction).log("the call's survey was answered before; this key is not stored");
      CallFlows.play(channel, config.goodbye(), "");
      return 0;
    } catch (Exception e) {
      log.atWarn().addKeyValue("interactionId", interaction).addKeyValue("error", e.toString()).log("could not store the rating");
      CallFlows.play(channel, config.goodbye(), "");
      return 0;
    }
    log.atInfo().addKeyValue("interactionId", interaction).addKeyValue("rating", rating).log("caller rated the call");
    CallFlows.play(channel, config.thanks(), ""); // no escape keys: a second key is not read, let alone stored
    return rating;
  }

}
