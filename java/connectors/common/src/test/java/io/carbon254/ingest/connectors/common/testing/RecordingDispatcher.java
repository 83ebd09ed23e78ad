package io.carbon254.ingest.connectors.common.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * The scripted ISO of every connector's HTTP tests (in the test JAR of connectors/common): answers
 * the queued responses in order, then {@link #fallback}; records every request and when it arrived.
 */
public final class RecordingDispatcher extends Dispatcher {
  public final ConcurrentLinkedQueue<MockResponse> queue = new ConcurrentLinkedQueue<>();
  public final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
  public final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
  public volatile Function<RecordedRequest, MockResponse> fallback;

  public RecordingDispatcher(Function<RecordedRequest, MockResponse> fallback) {
    this.fallback = fallback;
  }

  /** Answers 200 "ok" once the queue is empty. */
  public RecordingDispatcher() {
    this(r -> new MockResponse.Builder().code(200).body("ok").build());
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    arrivals.add(System.nanoTime());
    requests.add(request);
    MockResponse r = queue.poll();
    return r != null ? r : fallback.apply(request);
  }

  /** Milliseconds between the arrivals of requests {@code i - 1} and {@code i}. */
  public long gapMillis(int i) {
    return (arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000;
  }

  /** The URL of request {@code i}. */
  public HttpUrl url(int i) {
    return requests.get(i).getUrl();
  }
}
