"""Extension objects, bound to the app in the factory."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from app.common.models import Base
from app.errors import ProblemApi

# Objects stay loaded after commit: a route dumps what it just stored without reloading it.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(compare_type=True, render_as_batch=True)
api = ProblemApi()  # errors documented as what app/errors.py answers
