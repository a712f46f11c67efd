# The image `python -m labs grade --sandbox docker|podman` runs grading kernels in:
# Python, the course's requirements, ipykernel and the `labs` package, and nothing of the
# course's notebooks (the masters hold the solutions). Build it from the checkout's root:
#   docker build -f docker/grader.Dockerfile -t dnn-labs-grader .
FROM python:3.11-slim
WORKDIR /build
COPY pyproject.toml README.md ./
COPY labs ./labs
RUN pip install --no-cache-dir . ipykernel \
    && rm -rf /build
RUN useradd --create-home --uid 1000 student
USER student
