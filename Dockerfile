# Lifeline: build the release server and the browser bundle, then run them as a non-root user.
# Build: docker build -t lifeline .   Run: docker run -p 3000:3000 -v lifeline:/var/lib/lifeline lifeline

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown \
 && cargo install wasm-bindgen-cli --version 0.2.130
WORKDIR /src
COPY . .
# scripts/lib.sh builds the wasm bundle (wasm-release profile), runs wasm-bindgen and wasm-opt.
RUN bash -c 'source scripts/lib.sh && build_site release' \
 && cargo build -p server --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/lifeline --create-home lifeline
COPY --from=build /src/target/release/lifeline /usr/local/bin/lifeline
COPY --from=build /src/target/site /usr/share/lifeline/site
USER lifeline
WORKDIR /var/lib/lifeline
# MIMALLOC_ALLOW_THP=0: no transparent huge pages from the allocator's very first arena on (the
# server also turns them off itself at start; see server::without_huge_pages).
ENV LIFELINE_BIND=0.0.0.0:3000 \
    LIFELINE_SITE_ROOT=/usr/share/lifeline/site \
    DATABASE_URL=sqlite:///var/lib/lifeline/lifeline.db?mode=rwc \
    MIMALLOC_ALLOW_THP=0
VOLUME /var/lib/lifeline
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["lifeline", "serve"]
