FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=true python manage.py collectstatic --noinput
RUN useradd --create-home custodian
USER custodian
EXPOSE 8000
CMD ["gunicorn", "crm_project.wsgi", "-c", "gunicorn.conf.py"]
